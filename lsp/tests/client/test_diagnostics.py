"""Diagnostics as the author types: the same codes and words as `edict check`, for the whole
package, with related locations, and quick fixes from "did you mean" suggestions."""

import json
import shutil
import subprocess

from lsprotocol import types

from conftest import EDICT, POLICIES, change_file, diagnostics, open_file, position, uri

VERIFICATION = POLICIES / "measures-2025" / "verification.edict"
GENERAL = POLICIES / "measures-2025" / "general.edict"


async def test_a_typo_is_reported_as_edict_check_reports_it(client, tmp_path):
    text = open_file(client, VERIFICATION)
    await diagnostics(client, VERIFICATION, lambda d: len(d) == 0)
    broken = text.replace("require m.alternative_offered", "require m.alternative_offerd", 1)
    assert broken != text
    change_file(client, VERIFICATION, broken, 2)
    found = await diagnostics(client, VERIFICATION, lambda d: len(d) > 0)

    # `edict check` on the same text in a copy of the library says the same.
    copy = tmp_path / "policies"
    shutil.copytree(POLICIES, copy)
    (copy / "measures-2025" / "verification.edict").write_text(broken, encoding="utf-8")
    check = subprocess.run(
        [EDICT, "check", "--format", "json", str(copy / "measures-2025")],
        capture_output=True, text=True, check=False,
    )
    expected = [json.loads(line) for line in check.stdout.splitlines()]
    assert [d.code for d in found] == [e["code"] for e in expected] == ["E0301"]
    d, e = found[0], expected[0]
    assert d.message.splitlines()[0] == e["message"]
    assert f"help: {e['help']}" in d.message
    assert d.severity == types.DiagnosticSeverity.Error
    assert d.source == "edict"
    assert (d.range.start.line + 1, d.range.start.character + 1) == (e["line"], e["column"])

    # The suggestion is a quick fix.
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(VERIFICATION)),
            range=d.range,
            context=types.CodeActionContext(diagnostics=[d]),
        )
    )
    assert len(actions) == 1
    action = actions[0]
    assert action.kind == types.CodeActionKind.QuickFix
    edit = action.edit.changes[uri(VERIFICATION)][0]
    assert edit.new_text == "alternative_offered"
    assert edit.range == d.range

    # Fixing it clears the diagnostic.
    change_file(client, VERIFICATION, text, 3)
    await diagnostics(client, VERIFICATION, lambda d: len(d) == 0)


async def test_a_duplicate_clause_points_at_the_first_one_too(client):
    text = open_file(client, GENERAL)
    doubled = text + '\narticle 1 "Again" {\n  not_checkable "written twice"\n}\n'
    change_file(client, GENERAL, doubled, 2)
    found = await diagnostics(client, GENERAL, lambda d: any(x.code == "E0401" for x in d))
    d = next(x for x in found if x.code == "E0401")
    assert d.message.startswith("article 1 is written twice")
    assert d.related_information, "the first article 1 is a related location"
    related = d.related_information[0]
    assert related.location.uri == uri(GENERAL)
    assert related.message == "first written here"
    assert related.location.range.start == position(text, "article 1 ")


async def test_an_error_in_the_vocabulary_is_reported_where_it_is(client):
    vocabulary = POLICIES / "vocabulary" / "face.edict"
    text = open_file(client, vocabulary)
    broken = text.replace("    device: string", "    device: strng", 1)
    change_file(client, vocabulary, broken, 2)
    found = await diagnostics(client, vocabulary, lambda d: any(x.code == "E0200" for x in d))
    assert "unknown type `strng`" in found[0].message
    assert "did you mean `string`?" in found[0].message
