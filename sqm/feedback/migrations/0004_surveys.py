"""Surveys (CSAT, NPS, SERVQUAL), return visits and mystery shoppers."""

import django.core.validators
import django.db.models.deletion
import sqm.feedback.surveys.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0003_links_qr"),
        ("org", "0002_customer_tier"),
        ("tickets", "0012_slaevent_ticket_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ReturnVisitCursor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('scanned_to', models.DateTimeField()),
            ],
            options={
                'verbose_name': 'return-visit scheduler position',
            },
        ),
        migrations.CreateModel(
            name='Distribution',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(verbose_name='sent')),
                ('closed_from', models.DateField(verbose_name='tickets closed from')),
                ('closed_to', models.DateField(verbose_name='tickets closed until')),
                ('ticket_type', models.CharField(blank=True, max_length=16, verbose_name='ticket type')),
                ('sample_size', models.PositiveIntegerField(verbose_name='sample size asked for')),
                ('seed', models.BigIntegerField(verbose_name='random seed')),
                ('population', models.PositiveIntegerField(verbose_name='eligible customers')),
                ('population_sha256', models.CharField(max_length=64)),
                ('invited', models.PositiveIntegerField(verbose_name='invited')),
                ('expires_at', models.DateTimeField(verbose_name='links expire')),
                ('link_base', models.CharField(blank=True, max_length=200, verbose_name='site address for the links')),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='sent by')),
                ('team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='org.team', verbose_name='team')),
            ],
            options={
                'verbose_name': 'survey distribution',
                'verbose_name_plural': 'survey distributions',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='MysteryVisit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel', models.CharField(choices=[('walk_in', 'Visit (service hall)'), ('phone', 'Phone call'), ('chat', 'Live chat'), ('web', 'Web portal'), ('email', 'E-mail')], max_length=10, verbose_name='channel')),
                ('place', models.CharField(blank=True, max_length=200, verbose_name='place or number')),
                ('visited_at', models.DateTimeField(verbose_name='date and time')),
                ('scenario', models.TextField(verbose_name='scenario')),
                ('attitude', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name='attitude')),
                ('attitude_comment', models.TextField(blank=True, verbose_name='comment on attitude')),
                ('professionalism', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name='professionalism')),
                ('professionalism_comment', models.TextField(blank=True, verbose_name='comment on professionalism')),
                ('timeliness', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name='timeliness')),
                ('timeliness_comment', models.TextField(blank=True, verbose_name='comment on timeliness')),
                ('environment', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name='environment')),
                ('environment_comment', models.TextField(blank=True, verbose_name='comment on environment')),
                ('sop', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name='compliance with the SOP')),
                ('sop_comment', models.TextField(blank=True, verbose_name='comment on SOP compliance')),
                ('status', models.CharField(choices=[('submitted', 'Awaiting review'), ('accepted', 'Accepted'), ('rejected', 'Rejected')], default='submitted', max_length=10, verbose_name='status')),
                ('reviewed_at', models.DateTimeField(blank=True, null=True, verbose_name='reviewed')),
                ('review_note', models.TextField(blank=True, verbose_name='review note')),
                ('created_at', models.DateTimeField(verbose_name='submitted')),
                ('updated_at', models.DateTimeField(verbose_name='updated')),
                ('agent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='staff member served by')),
                ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reviewed by')),
                ('shopper', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='mystery shopper')),
                ('team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='org.team', verbose_name='team')),
            ],
            options={
                'verbose_name': 'mystery-shopper visit',
                'verbose_name_plural': 'mystery-shopper visits',
            },
        ),
        migrations.CreateModel(
            name='MysteryEvidence',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.FileField(max_length=200, upload_to=sqm.feedback.surveys.models.evidence_path)),
                ('name', models.CharField(max_length=200, verbose_name='file name')),
                ('content_type', models.CharField(max_length=100)),
                ('size', models.PositiveIntegerField(verbose_name='size')),
                ('sha256', models.CharField(max_length=64)),
                ('uploaded_at', models.DateTimeField(verbose_name='uploaded')),
                ('visit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='evidence', to='feedback.mysteryvisit', verbose_name='visit')),
            ],
            options={
                'verbose_name': 'mystery-shopper evidence',
                'verbose_name_plural': 'mystery-shopper evidence',
                'ordering': ['id'],
            },
        ),
        migrations.CreateModel(
            name='ReturnVisit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('closed_at', models.DateTimeField(verbose_name='complaint closed')),
                ('due_on', models.DateField(verbose_name='due')),
                ('status', models.CharField(choices=[('pending', 'To call'), ('done', 'Done'), ('unreachable', 'Unreachable')], default='pending', max_length=12, verbose_name='status')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='calls made')),
                ('outcome', models.CharField(blank=True, choices=[('satisfied', 'Reached: satisfied'), ('reached', 'Reached: no complaint, not fully satisfied'), ('persists', 'Reached: problem persists (reopens the complaint)'), ('not_reached', 'Not reached (call again)')], max_length=12, verbose_name='outcome')),
                ('notes', models.TextField(blank=True, verbose_name='notes')),
                ('reopened', models.BooleanField(default=False, verbose_name='reopened the complaint')),
                ('created_at', models.DateTimeField(verbose_name='scheduled')),
                ('completed_at', models.DateTimeField(blank=True, null=True, verbose_name='completed')),
                ('updated_at', models.DateTimeField(verbose_name='updated')),
                ('agent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='return_visits', to=settings.AUTH_USER_MODEL, verbose_name='agent')),
                ('handled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='handled by')),
                ('team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='org.team', verbose_name='team')),
                ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='return_visits', to='tickets.ticket', verbose_name='complaint')),
            ],
            options={
                'verbose_name': 'return visit',
                'verbose_name_plural': 'return visits',
            },
        ),
        migrations.CreateModel(
            name='ReturnVisitAttempt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(verbose_name='called')),
                ('outcome', models.CharField(choices=[('satisfied', 'Reached: satisfied'), ('reached', 'Reached: no complaint, not fully satisfied'), ('persists', 'Reached: problem persists (reopens the complaint)'), ('not_reached', 'Not reached (call again)')], max_length=12, verbose_name='outcome')),
                ('notes', models.TextField(blank=True, verbose_name='notes')),
                ('agent', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='agent')),
                ('visit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='calls', to='feedback.returnvisit', verbose_name='return visit')),
            ],
            options={
                'verbose_name': 'return-visit call',
                'verbose_name_plural': 'return-visit calls',
                'ordering': ['at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Survey',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('custom', 'Custom survey'), ('csat', 'CSAT (customer satisfaction)'), ('nps', 'NPS (net promoter score)'), ('servqual', 'SERVQUAL (five dimensions of service quality)')], default='custom', max_length=10, verbose_name='kind')),
                ('title_zh', models.CharField(max_length=200, verbose_name='Chinese title')),
                ('title_en', models.CharField(blank=True, max_length=200, verbose_name='English title')),
                ('intro_zh', models.TextField(blank=True, verbose_name='Chinese introduction')),
                ('intro_en', models.TextField(blank=True, verbose_name='English introduction')),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('open', 'Open'), ('closed', 'Closed')], default='draft', max_length=8, verbose_name='status')),
                ('is_template', models.BooleanField(default=False, verbose_name='built-in template')),
                ('template_code', models.CharField(blank=True, max_length=20, verbose_name='template code')),
                ('created_at', models.DateTimeField(verbose_name='created')),
                ('updated_at', models.DateTimeField(verbose_name='updated')),
                ('opened_at', models.DateTimeField(blank=True, null=True, verbose_name='opened')),
                ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed')),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('source', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='feedback.survey', verbose_name='copied from')),
            ],
            options={
                'verbose_name': 'survey',
                'verbose_name_plural': 'surveys',
            },
        ),
        migrations.CreateModel(
            name='Question',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField(default=0, verbose_name='position')),
                ('code', models.CharField(blank=True, help_text='e.g. SQ05 for SERVQUAL item 5', max_length=20, verbose_name='code')),
                ('kind', models.CharField(choices=[('rating', 'Rating scale (1–5 or 1–7)'), ('nps', 'Likelihood to recommend (NPS, 0–10)'), ('single', 'Single choice'), ('multiple', 'Multiple choice'), ('text', 'Free text'), ('gap', 'Expectation and perception (SERVQUAL item)'), ('weights', 'Importance weights (100 points over the five dimensions)')], max_length=10, verbose_name='kind')),
                ('text_zh', models.CharField(max_length=500, verbose_name='Chinese wording')),
                ('text_en', models.CharField(blank=True, max_length=500, verbose_name='English wording')),
                ('required', models.BooleanField(default=True, verbose_name='answer required')),
                ('scale_max', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='scale maximum')),
                ('dimension', models.CharField(blank=True, choices=[('tangibles', 'Tangibles'), ('reliability', 'Reliability'), ('responsiveness', 'Responsiveness'), ('assurance', 'Assurance'), ('empathy', 'Empathy')], max_length=16, verbose_name='SERVQUAL dimension')),
                ('options', models.JSONField(blank=True, default=list, verbose_name='options')),
                ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='questions', to='feedback.survey', verbose_name='survey')),
            ],
            options={
                'verbose_name': 'survey question',
                'verbose_name_plural': 'survey questions',
                'ordering': ['position', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Invitation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('language', models.CharField(default='zh-hans', max_length=10, verbose_name='language')),
                ('nonce', models.CharField(max_length=32, unique=True)),
                ('created_at', models.DateTimeField(verbose_name='invited')),
                ('expires_at', models.DateTimeField(verbose_name='expires')),
                ('emailed_at', models.DateTimeField(blank=True, null=True, verbose_name='e-mailed')),
                ('responded_at', models.DateTimeField(blank=True, null=True, verbose_name='responded')),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='customer')),
                ('distribution', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='feedback.distribution', verbose_name='distribution')),
                ('ticket', models.ForeignKey(blank=True, help_text="The customer's latest ticket closed in the period.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='tickets.ticket', verbose_name='ticket')),
                ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='feedback.survey', verbose_name='survey')),
            ],
            options={
                'verbose_name': 'survey invitation',
                'verbose_name_plural': 'survey invitations',
            },
        ),
        migrations.AddField(
            model_name='distribution',
            name='survey',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='distributions', to='feedback.survey', verbose_name='survey'),
        ),
        migrations.CreateModel(
            name='SurveyResponse',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('language', models.CharField(max_length=10, verbose_name='language')),
                ('submitted_at', models.DateTimeField(verbose_name='submitted')),
                ('customer', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='customer')),
                ('invitation', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='response', to='feedback.invitation', verbose_name='invitation')),
                ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='responses', to='feedback.survey', verbose_name='survey')),
            ],
            options={
                'verbose_name': 'survey response',
                'verbose_name_plural': 'survey responses',
            },
        ),
        migrations.CreateModel(
            name='Answer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.SmallIntegerField(blank=True, null=True, verbose_name='value')),
                ('expectation', models.SmallIntegerField(blank=True, null=True, verbose_name='expectation')),
                ('perception', models.SmallIntegerField(blank=True, null=True, verbose_name='perception')),
                ('choices', models.JSONField(blank=True, default=list, verbose_name='choices')),
                ('text', models.TextField(blank=True, verbose_name='text')),
                ('points', models.JSONField(blank=True, default=dict, verbose_name='importance points')),
                ('question', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='answers', to='feedback.question', verbose_name='question')),
                ('response', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='answers', to='feedback.surveyresponse', verbose_name='response')),
            ],
            options={
                'verbose_name': 'survey answer',
                'verbose_name_plural': 'survey answers',
            },
        ),
        migrations.AddIndex(
            model_name='mysteryvisit',
            index=models.Index(fields=['shopper', 'visited_at'], name='feedback_mystery_shopper_idx'),
        ),
        migrations.AddIndex(
            model_name='mysteryvisit',
            index=models.Index(fields=['visited_at', 'id'], name='feedback_mystery_when_idx'),
        ),
        migrations.AddConstraint(
            model_name='mysteryvisit',
            constraint=models.CheckConstraint(condition=models.Q(('attitude__gte', 1), ('attitude__lte', 5), ('professionalism__gte', 1), ('professionalism__lte', 5), ('timeliness__gte', 1), ('timeliness__lte', 5), ('environment__gte', 1), ('environment__lte', 5), ('sop__gte', 1), ('sop__lte', 5)), name='feedback_mystery_scores_range'),
        ),
        migrations.AddIndex(
            model_name='returnvisit',
            index=models.Index(fields=['agent', 'status', 'due_on'], name='feedback_rv_agent_idx'),
        ),
        migrations.AddIndex(
            model_name='returnvisit',
            index=models.Index(fields=['status', 'due_on', 'id'], name='feedback_rv_due_idx'),
        ),
        migrations.AddConstraint(
            model_name='returnvisit',
            constraint=models.UniqueConstraint(fields=('ticket', 'closed_at'), name='feedback_return_visit_once_per_closing'),
        ),
        migrations.AddConstraint(
            model_name='survey',
            constraint=models.UniqueConstraint(condition=models.Q(('is_template', True)), fields=('template_code',), name='feedback_survey_one_template_per_code'),
        ),
        migrations.AddIndex(
            model_name='question',
            index=models.Index(fields=['survey', 'position'], name='feedback_question_order_idx'),
        ),
        migrations.AddConstraint(
            model_name='invitation',
            constraint=models.UniqueConstraint(fields=('survey', 'customer'), name='feedback_invitation_once_per_survey'),
        ),
        migrations.AddIndex(
            model_name='surveyresponse',
            index=models.Index(fields=['survey', 'submitted_at'], name='feedback_response_survey_idx'),
        ),
        migrations.AddConstraint(
            model_name='answer',
            constraint=models.UniqueConstraint(fields=('response', 'question'), name='feedback_answer_once'),
        ),
    ]
