"""Rating links and QR-code ratings."""

import django.core.validators
import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0002_rating_flags"),
        ("org", "0002_customer_tier"),
        ("tickets", "0012_slaevent_ticket_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='InvitationCursor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=30, unique=True)),
                ('position', models.DateTimeField(blank=True, null=True)),
                ('updated_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'verbose_name': 'invitation cursor',
                'verbose_name_plural': 'invitation cursors',
            },
        ),
        migrations.CreateModel(
            name='QrCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token', models.CharField(max_length=32, unique=True, verbose_name='token')),
                ('label', models.CharField(help_text='Printed under the code, e.g. “Counter 3”.', max_length=100, verbose_name='label')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('created_at', models.DateTimeField(verbose_name='created')),
                ('deactivated_at', models.DateTimeField(blank=True, null=True, verbose_name='deactivated')),
                ('agent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='agent')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.team', verbose_name='service point (team)')),
            ],
            options={
                'verbose_name': 'QR rating code',
                'verbose_name_plural': 'QR rating codes',
            },
        ),
        migrations.CreateModel(
            name='QrRating',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('device', models.CharField(max_length=64, verbose_name='device (hash)')),
                ('submissions', models.PositiveIntegerField(default=1, verbose_name='submissions')),
                ('first_at', models.DateTimeField(verbose_name='first submitted')),
                ('last_at', models.DateTimeField(verbose_name='last submitted')),
                ('code', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='ratings', to='feedback.qrcode', verbose_name='QR code')),
                ('rating', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='qr', to='feedback.rating', verbose_name='rating')),
            ],
            options={
                'verbose_name': 'QR rating',
                'verbose_name_plural': 'QR ratings',
            },
        ),
        migrations.CreateModel(
            name='RatingFollowUp',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rule', models.CharField(choices=[('low_score', 'Low rating'), ('comment', 'Complaint-like comment')], max_length=12, verbose_name='rule')),
                ('outcome', models.CharField(choices=[('ticket', 'Complaint ticket opened'), ('anonymous', 'Anonymous rating: no customer to open a ticket for')], max_length=12, verbose_name='outcome')),
                ('reason', models.CharField(max_length=500, verbose_name='reason')),
                ('rule_version', models.PositiveIntegerField(default=1, verbose_name='rule version')),
                ('created_at', models.DateTimeField(verbose_name='created')),
                ('rating', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='follow_up', to='feedback.rating', verbose_name='rating')),
                ('ticket', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='tickets.ticket', verbose_name='complaint ticket')),
            ],
            options={
                'verbose_name': 'rating follow-up',
                'verbose_name_plural': 'rating follow-ups',
            },
        ),
        migrations.CreateModel(
            name='RatingInvitation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('pending', 'Waiting to be mailed'), ('sent', 'Mailed'), ('no_address', 'No e-mail address'), ('failed', 'Mailing failed')], default='pending', max_length=12, verbose_name='status')),
                ('language', models.CharField(default='zh-hans', max_length=10, verbose_name='language')),
                ('created_at', models.DateTimeField(verbose_name='created')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='mailed')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                ('error', models.CharField(blank=True, max_length=300, verbose_name='last error')),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='customer')),
                ('ticket', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='rating_invitation', to='tickets.ticket', verbose_name='ticket')),
            ],
            options={
                'verbose_name': 'rating invitation',
                'verbose_name_plural': 'rating invitations',
            },
        ),
        migrations.CreateModel(
            name='ComplaintRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('enabled', models.BooleanField(default=True, verbose_name='enabled')),
                ('score_threshold', models.PositiveSmallIntegerField(default=2, help_text='0 turns the score part off.', validators=[django.core.validators.MaxValueValidator(5)], verbose_name='open a complaint at or below (stars)')),
                ('comment_enabled', models.BooleanField(default=True, verbose_name='read comments')),
                ('comment_threshold', models.DecimalField(decimal_places=2, default=Decimal('1.5'), max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal('0.1')), django.core.validators.MaxValueValidator(Decimal('50'))], verbose_name='comment score threshold')),
                ('keywords_zh', models.TextField(blank=True, verbose_name='Chinese words and weights')),
                ('keywords_en', models.TextField(blank=True, verbose_name='English words and weights')),
                ('negation_handling', models.BooleanField(default=True, verbose_name='handle negations')),
                ('negations', models.TextField(blank=True, verbose_name='negations')),
                ('intensifiers', models.TextField(blank=True, verbose_name='intensifiers')),
                ('version', models.PositiveIntegerField(default=1, verbose_name='version')),
                ('updated_at', models.DateTimeField(blank=True, null=True, verbose_name='changed')),
                ('measured', models.JSONField(blank=True, default=dict, verbose_name='measured precision and recall')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='changed by')),
            ],
            options={
                'verbose_name': 'complaint rule',
                'verbose_name_plural': 'complaint rules',
                'constraints': [models.CheckConstraint(condition=models.Q(('score_threshold__lte', 5)), name='fb_rule_score_threshold_range')],
            },
        ),
        migrations.AddIndex(
            model_name='qrcode',
            index=models.Index(fields=['is_active', 'label'], name='fb_qrcode_list_idx'),
        ),
        migrations.AddConstraint(
            model_name='qrcode',
            constraint=models.CheckConstraint(condition=models.Q(('team__isnull', False), ('agent__isnull', False), _connector='OR'), name='fb_qrcode_team_or_agent'),
        ),
        migrations.AddIndex(
            model_name='qrrating',
            index=models.Index(fields=['code', 'device', 'last_at'], name='fb_qrrating_dedup_idx'),
        ),
        migrations.AddIndex(
            model_name='ratingfollowup',
            index=models.Index(fields=['created_at', 'id'], name='fb_followup_created_idx'),
        ),
        migrations.AddIndex(
            model_name='ratinginvitation',
            index=models.Index(fields=['status', 'created_at'], name='fb_invitation_status_idx'),
        ),
    ]
