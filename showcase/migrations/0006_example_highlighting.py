"""Enforcement examples are highlighted on save; existing ones are highlighted here.

A language typed before it became a choice is mapped to the choice Pygments takes it for
("js" is JavaScript), or to plain text when it names none.
"""

from django.db import migrations, models
from pygments.lexers import find_lexer_class_by_name
from pygments.util import ClassNotFound

from showcase.highlighting import LANGUAGES, highlight


def known_language(typed: str) -> str:
    names = {name for name, _ in LANGUAGES}
    try:
        aliases = find_lexer_class_by_name(typed.strip().lower()).aliases
    except ClassNotFound:
        return "text"
    return next((alias for alias in aliases if alias in names), "text")


def highlight_examples(apps, schema_editor):
    Example = apps.get_model("showcase", "EnforcementExample")
    for example in Example.objects.all():
        example.language = known_language(example.language)
        example.code_html = highlight(example.code, example.language)
        example.save(update_fields=["language", "code_html"])


class Migration(migrations.Migration):

    dependencies = [
        ('showcase', '0005_decisions_sections'),
    ]

    operations = [
        migrations.AddField(
            model_name='enforcementexample',
            name='code_html',
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name='historicalenforcementexample',
            name='code_html',
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AlterField(
            model_name='enforcementexample',
            name='language',
            field=models.CharField(choices=[('javascript', 'JavaScript'), ('typescript', 'TypeScript'), ('python', 'Python'), ('sql', 'SQL'), ('json', 'JSON'), ('http', 'HTTP'), ('bash', 'Shell (Bash)'), ('html', 'HTML'), ('css', 'CSS'), ('yaml', 'YAML'), ('text', 'Plain text')], default='javascript', max_length=30),
        ),
        migrations.AlterField(
            model_name='historicalenforcementexample',
            name='language',
            field=models.CharField(choices=[('javascript', 'JavaScript'), ('typescript', 'TypeScript'), ('python', 'Python'), ('sql', 'SQL'), ('json', 'JSON'), ('http', 'HTTP'), ('bash', 'Shell (Bash)'), ('html', 'HTML'), ('css', 'CSS'), ('yaml', 'YAML'), ('text', 'Plain text')], default='javascript', max_length=30),
        ),
        migrations.RunPython(highlight_examples, migrations.RunPython.noop),
    ]
