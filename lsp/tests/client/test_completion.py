"""Completion: keywords in the file's keyword language, event types after `on`, fields after
`e.` (nested records too), enum values after `==`, and clause numbers no rule implements."""

from lsprotocol import types

from conftest import POLICIES, change_file, open_file, position, uri

MINORS = POLICIES / "measures-2025" / "minors.edict"  # Chinese keywords
STORAGE = POLICIES / "measures-2025" / "storage.edict"
FILING = POLICIES / "measures-2025" / "security-and-filing.edict"


async def complete(client, path, text, needle, delta=0):
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(path)),
            position=position(text, needle, delta),
        )
    )
    items = result.items if isinstance(result, types.CompletionList) else result
    return {i.label: i for i in items}


async def test_keywords_in_the_files_language(client):
    text = open_file(client, MINORS)
    edited = text.replace("    说明 ", "    说\n    说明 ", 1)
    change_file(client, MINORS, edited, 2)
    labels = await complete(client, MINORS, edited, "    说\n", len("    说"))
    assert "说明" in labels and "规则" not in labels  # filtered by what is typed
    labels = await complete(client, MINORS, edited, "    说\n", len("    "))
    assert {"规则", "应当", "对于", "中文说明"} <= set(labels)
    assert "rule" not in labels

    text = open_file(client, STORAGE)
    labels = await complete(client, STORAGE, text, "    rule retention:", len("    "))
    assert {"rule", "require", "message_zh"} <= set(labels)
    assert "规则" not in labels


async def test_event_types_after_on(client):
    text = open_file(client, STORAGE)
    edited = text.replace("      on enrollment e\n", "      on \n", 1)
    change_file(client, STORAGE, edited, 2)
    labels = await complete(client, STORAGE, edited, "      on \n", len("      on "))
    assert {"enrollment", "match", "deletion", "filing"} <= set(labels)
    assert labels["enrollment"].kind == types.CompletionItemKind.Class


async def test_fields_after_a_variable_and_a_record(client):
    text = open_file(client, MINORS)
    edited = text.replace("应当 存在(e.consent)", "应当 存在(e.", 1)
    change_file(client, MINORS, edited, 2)
    labels = await complete(client, MINORS, edited, "应当 存在(e.", len("应当 存在(e."))
    assert {"subject", "subject_age", "consent", "processor", "legal_basis"} <= set(labels)
    assert labels["subject_age"].detail == "optional int"

    edited = text.replace("e.consent.given_by == guardian", "e.consent.", 1)
    change_file(client, MINORS, edited, 3)
    labels = await complete(client, MINORS, edited, "e.consent.\n", len("e.consent."))
    assert set(labels) == {"separate", "written", "informed", "given_by"}


async def test_enum_values_after_equals(client):
    text = open_file(client, MINORS)
    edited = text.replace("e.legal_basis == consent", "e.legal_basis == ", 1)
    change_file(client, MINORS, edited, 2)
    labels = await complete(client, MINORS, edited, "e.legal_basis == ", len("e.legal_basis == "))
    assert set(labels) == {"consent", "law"}
    assert labels["law"].kind == types.CompletionItemKind.EnumMember


async def test_clause_numbers_the_outline_has_and_no_rule_implements(client):
    text = open_file(client, FILING)
    # Take article 20 out: the outline has it, and now nothing implements it.
    start = text.index('article 20 "Entry into force"')
    edited = text[:start] + "article " + "\n"
    change_file(client, FILING, edited, 2)
    labels = await complete(client, FILING, edited, "article \n", len("article "))
    assert list(labels) == ["20"]
    assert labels["20"].detail.startswith("article 20: 第二十条")

    # In Chinese, after `第`.
    edited = text[:start] + "第" + "\n"
    change_file(client, FILING, edited, 3)
    labels = await complete(client, FILING, edited, "第\n", 1)
    assert list(labels) == ["第二十条"]
