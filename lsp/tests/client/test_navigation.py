"""Hover, go to definition and find references on the library, in English and Chinese files
(positions in UTF-16 code units)."""

from lsprotocol import types

from conftest import POLICIES, open_file, position, uri

MINORS = POLICIES / "measures-2025" / "minors.edict"  # Chinese keywords
FILING = POLICIES / "measures-2025" / "security-and-filing.edict"
MEASURES = POLICIES / "measures-2025" / "measures.edict"
STORAGE = POLICIES / "measures-2025" / "storage.edict"
FACE = POLICIES / "vocabulary" / "face.edict"
OUTLINE = POLICIES / "measures-2025" / "measures-2025.outline.txt"


async def hover(client, path, text, needle, delta=0):
    return await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri(path)),
            position=position(text, needle, delta),
        )
    )


async def definition(client, path, text, needle, delta=0):
    return await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(path)),
            position=position(text, needle, delta),
        )
    )


async def test_hover_on_a_chinese_article_header_shows_its_text_from_the_outline(client):
    text = open_file(client, MINORS)
    h = await hover(client, MINORS, text, "第七条", 1)
    assert "**article 7** (第七条) of `measures-2025`" in h.contents.value
    assert "以同意为依据处理不满十四周岁儿童人脸信息的" in h.contents.value
    assert h.range.start == position(text, "第七条")


async def test_hover_on_a_paragraph_header(client):
    text = open_file(client, STORAGE)
    h = await hover(client, STORAGE, text, "paragraph 2", 3)
    assert h.contents.value.startswith("**article 8 paragraph 2** (第八条第二款)")
    # The outline's second paragraph of article 8, and not the first.
    assert "> 人脸信息的保存时间不应长于达成处理目的所需的最短期限" in h.contents.value
    assert "原则上留存在人脸识别设备本地" not in h.contents.value


async def test_hover_on_a_field_after_chinese_text_shows_its_type_and_comment(client):
    text = open_file(client, MINORS)
    # `subject_age` after `当 e.legal_basis == consent 并且 存在(e.`: UTF-16 columns.
    h = await hover(client, MINORS, text, "存在(e.subject_age)", len("存在(e.") + 2)
    assert "subject_age?: int" in h.contents.value
    assert "age in completed years" in h.contents.value
    assert "has(e.subject_age)" in h.contents.value
    start = position(text, "存在(e.subject_age)", len("存在(e."))
    assert h.range.start == start
    assert h.range.end.character == start.character + len("subject_age")


async def test_hover_on_a_nested_field(client):
    text = open_file(client, MINORS)
    h = await hover(client, MINORS, text, "e.consent.given_by", len("e.consent.") + 1)
    assert "given_by: enum `consent_giver`" in h.contents.value
    assert "record `consent_info`" in h.contents.value


async def test_hover_on_a_rule_shows_its_id_and_clause(client):
    text = open_file(client, MINORS)
    h = await hover(client, MINORS, text, "guardian-consent", 3)
    assert "rule `measures-2025/art7/guardian-consent`" in h.contents.value
    assert "implements article 7" in h.contents.value


async def test_hover_on_a_constant_and_a_state_shows_their_definitions(client):
    text = open_file(client, MINORS)
    h = await hover(client, MINORS, text, "CHILD_AGE", 2)
    assert "const CHILD_AGE = 14" in h.contents.value
    assert "a child's consent must come from a parent or" in h.contents.value
    text = open_file(client, FILING)
    h = await hover(client, FILING, text, "size(stored_subjects[p])", len("size(") + 1)
    assert "state stored_subjects: set of subject per processor {" in h.contents.value
    assert "on enrollment e: add e.subject" in h.contents.value


async def test_go_to_definition(client):
    minors = open_file(client, MINORS)
    filing = open_file(client, FILING)
    face = FACE.read_text(encoding="utf-8")
    measures = MEASURES.read_text(encoding="utf-8")

    # A constant: its declaration in another file of the package.
    loc = await definition(client, MINORS, minors, "CHILD_AGE", 1)
    assert loc.uri == uri(MEASURES)
    assert loc.range.start == position(measures, "CHILD_AGE")

    # A state.
    loc = await definition(client, FILING, filing, "size(stored_subjects[p])", len("size(") + 2)
    assert loc.uri == uri(FILING)
    assert loc.range.start == position(filing, "stored_subjects")

    # A field and an event type: the vocabulary.
    loc = await definition(client, MINORS, minors, "e.subject_age", 4)
    assert loc.uri == uri(FACE)
    assert loc.range.start == position(face, "subject_age?")
    loc = await definition(client, MINORS, minors, "enrollment e", 2)
    assert loc.uri == uri(FACE)
    assert loc.range.start == position(face, "enrollment {")

    # A clause header: its line in the outline.
    loc = await definition(client, MINORS, minors, "第七条", 1)
    assert loc.uri == uri(OUTLINE)
    outline = OUTLINE.read_text(encoding="utf-8")
    assert loc.range.start == position(outline, "第七条")


async def test_find_references_of_a_state_and_a_constant(client):
    filing = open_file(client, FILING)
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri=uri(FILING)),
            position=position(filing, "stored_subjects"),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert len(refs) == 3
    assert {r.uri for r in refs} == {uri(FILING)}
    assert refs[0].range.start == position(filing, "stored_subjects")

    minors = open_file(client, MINORS)
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri=uri(MINORS)),
            position=position(minors, "CHILD_AGE"),
            context=types.ReferenceContext(include_declaration=False),
        )
    )
    assert [r.uri for r in refs] == [uri(MINORS)]
    assert refs[0].range.start == position(minors, "CHILD_AGE")
