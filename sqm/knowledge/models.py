"""The knowledge base: articles and solved-case write-ups in a category tree (DESIGN.md §2.2).

Articles are searched through :class:`ArticleToken`, one row per distinct search token of an
article with a weight that says where the token stands (title > tags > body). The services keep
it in step with the article on every write; ranking is an aggregation over that table.

The knowledge base does not depend on the ticket code: a solved case points at the ticket it
came from through a foreign key named by string only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class KbCategory(models.Model):
    """A node of the knowledge base's category tree (e.g. 宽带 › 故障处理), named in both languages."""

    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("knowledge category")
        verbose_name_plural = _("knowledge categories")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class ArticleKind(models.TextChoices):
    ARTICLE = "article", pgettext_lazy("knowledge kind", "Article")
    CASE = "case", _("Solved case")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("article status", "Draft")
    PUBLISHED = "published", pgettext_lazy("article status", "Published")
    RETIRED = "retired", pgettext_lazy("article status", "Retired")


class ArticleLanguage(models.TextChoices):
    ZH = "zh", _("Chinese")
    EN = "en", _("English")


class Article(models.Model):
    """A knowledge-base article or a solved-case write-up (典型问题解决方案).

    ``body`` is plain text with a little structure (blank lines, "- " lists, "1. " steps, "# "
    headings); it is escaped when shown. ``version`` counts the edits and guards against two
    people overwriting each other.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=ArticleKind.choices, default=ArticleKind.ARTICLE)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    language = models.CharField(_("language"), max_length=5, choices=ArticleLanguage.choices, default="zh")
    category = models.ForeignKey(
        KbCategory, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT, related_name="articles"
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT, db_index=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="kb_articles"
    )
    source_ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("source ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kb_cases",
        help_text=_("The ticket a solved case was written from."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        indexes = [
            models.Index(fields=["status", "-updated_at", "-id"], name="kb_article_status_idx"),
            models.Index(fields=["category", "status"], name="kb_article_category_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class ArticleToken(models.Model):
    """One search token of an article and how strongly the article is about it.

    The weight sums where the token occurs: 8 for the title, 4 for a tag, 1 per use in the body
    (at most 3). A search adds up the weights of the tokens it matched.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="tokens")
    token = models.CharField(max_length=64)
    weight = models.PositiveSmallIntegerField(default=1)

    class Meta:
        verbose_name = _("search token")
        verbose_name_plural = _("search tokens")
        constraints = [models.UniqueConstraint(fields=["article", "token"], name="kb_token_article_token_unique")]
        indexes = [models.Index(fields=["token", "article"], name="kb_token_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.token} ×{self.weight}"
