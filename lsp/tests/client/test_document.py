"""Document symbols, formatting through `edict fmt`, semantic tokens."""

from lsprotocol import types

from conftest import POLICIES, change_file, open_file, position, uri, utf16

MINORS = POLICIES / "measures-2025" / "minors.edict"  # Chinese keywords
FILING = POLICIES / "measures-2025" / "security-and-filing.edict"


async def test_symbols_are_the_article_paragraph_rule_tree(client):
    open_file(client, FILING)
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri(FILING)))
    )
    names = [s.name for s in symbols]
    assert names[:3] == ["article 14", "stored_subjects", "FILING_THRESHOLD"]
    article15 = next(s for s in symbols if s.name == "article 15")
    assert article15.detail == "Filing"
    assert [p.name for p in article15.children] == ["paragraph 1", "paragraph 2"]
    rule = article15.children[0].children[0]
    assert rule.name == "initial-filing"
    assert rule.kind == types.SymbolKind.Function

    open_file(client, MINORS)
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri(MINORS)))
    )
    assert [s.name for s in symbols] == ["第七条"]
    assert [c.name for c in symbols[0].children] == ["guardian-consent"]


async def test_formatting_gives_the_canonical_layout_and_refuses_broken_files(client):
    text = open_file(client, MINORS)
    messy = text.replace("    对于 enrollment e\n", "对于   enrollment\n  e ")
    change_file(client, MINORS, messy, 2)
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=types.TextDocumentIdentifier(uri=uri(MINORS)),
            options=types.FormattingOptions(tab_size=2, insert_spaces=True),
        )
    )
    assert len(edits) == 1
    assert edits[0].new_text == text
    assert edits[0].range.start == types.Position(line=0, character=0)

    change_file(client, MINORS, text.replace("规则 guardian-consent:", "规则 guardian-consent"), 3)
    try:
        await client.text_document_formatting_async(
            types.DocumentFormattingParams(
                text_document=types.TextDocumentIdentifier(uri=uri(MINORS)),
                options=types.FormattingOptions(tab_size=2, insert_spaces=True),
            )
        )
    except Exception as error:  # the server answers with an error
        line = 1 + text.splitlines().index("  规则 guardian-consent:")
        assert f"syntax errors (line {line + 1}" in str(error)
    else:
        raise AssertionError("formatting a file with syntax errors must fail")


async def test_semantic_tokens_of_a_chinese_file(client):
    text = open_file(client, MINORS)
    result = await client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=types.TextDocumentIdentifier(uri=uri(MINORS)))
    )
    legend = ["keyword", "string", "number", "comment", "operator", "type", "enumMember",
              "property", "parameter", "variable", "function", "namespace"]
    tokens = {}
    line = column = 0
    data = result.data
    for i in range(0, len(data), 5):
        dl, dc, length, kind, mods = data[i:i + 5]
        line += dl
        column = dc if dl else column + dc
        tokens[(line, column)] = (length, legend[kind], mods)

    def at(needle, delta=0):
        p = position(text, needle, delta)
        return tokens[(p.line, p.character)]

    assert at("第七条") == (3, "keyword", 0)
    assert at("规则") == (2, "keyword", 0)
    assert at("guardian-consent") == (len("guardian-consent"), "function", 1)
    assert at("enrollment e") == (len("enrollment"), "type", 0)
    assert at("CHILD_AGE") == (len("CHILD_AGE"), "variable", 2)
    assert at("consent 并且")[1] == "enumMember"
    assert at("e.legal_basis", 2) == (len("legal_basis"), "property", 0)
    message = text[text.index('"The individual'):]
    message = message[: message.index('"', 1) + 1]
    assert at('"The individual') == (utf16(message), "string", 0)
    assert at("// Article 7")[1] == "comment"
