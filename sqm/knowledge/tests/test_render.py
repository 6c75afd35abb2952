"""Article text to HTML: structure kept, everything the writer typed escaped."""

from __future__ import annotations

from django.core.management import call_command

from sqm.knowledge.render import plain_excerpt, render_body


def test_paragraphs_lists_headings_and_links():
    html = render_body(
        "# 步骤\n1. 重启光猫\n2. 查看 https://example.com/a?b=1&c=2\n   续行\n\n- 甲\n- 乙\n\n第一行\n第二行"
    )
    assert html == (
        "<h3>步骤</h3><ol><li>重启光猫</li><li>查看 "
        '<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow">https://example.com/a?b=1&amp;c=2</a>'
        "<br>续行</li></ol>\n<ul><li>甲</li><li>乙</li></ul>\n<p>第一行<br>第二行</p>"
    )


def test_markup_is_escaped():
    html = render_body('<img src=x onerror="alert(1)">\n- <a href="javascript:alert(1)">x</a>')
    assert "<img" not in html and '<a href="javascript' not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_excerpt_drops_structure_marks():
    assert plain_excerpt("# 问题\n1. 先重启\n- 再检查", 100) == "问题 先重启 再检查"
    assert plain_excerpt("很长的文字" * 50, 10) == "很长的文字很长的文…"


def test_reindex_command(db, capsys):
    call_command("kb_reindex")
    assert "0 articles" in capsys.readouterr().out
