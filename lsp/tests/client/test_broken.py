"""A file that does not parse still gets diagnostics, hover and symbols for its good parts."""

from lsprotocol import types

from conftest import POLICIES, change_file, diagnostics, open_file, position, uri

STORAGE = POLICIES / "measures-2025" / "storage.edict"


async def test_the_good_parts_of_a_broken_file_still_answer(client):
    text = open_file(client, STORAGE)
    # Break the first rule (no colon after its name); the others stay readable.
    broken = text.replace("rule on-device-storage:", "rule on-device-storage", 1)
    change_file(client, STORAGE, broken, 2)
    found = await diagnostics(client, STORAGE, lambda d: any(x.code == "E0001" for x in d))
    syntax = next(x for x in found if x.code == "E0001")
    assert syntax.message.startswith("expected `:`")

    h = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri(STORAGE)),
            position=position(broken, "rule retention:", len("rule ")),
        )
    )
    assert "rule `measures-2025/art8/p2/retention`" in h.contents.value

    h = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri(STORAGE)),
            position=position(broken, "d.subject == e.subject", len("d.") + 1),
        )
    )
    assert "subject: string" in h.contents.value

    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri(STORAGE)))
    )
    assert [s.name for s in symbols] == ["article 8", "article 9"]
    rules = [r.name for p in symbols[1].children for r in p.children]
    assert "assessment-before-enrollment" in rules
