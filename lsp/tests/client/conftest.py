"""A real LSP client (pytest-lsp) driving `edict lsp` over stdio on the policy library.

The server binary is `$EDICT_BIN` (the Rust test `cli/tests/lsp_client.rs` sets it).
"""

import asyncio
import os
import pathlib

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

REPO = pathlib.Path(__file__).resolve().parents[3]
POLICIES = REPO / "policies"
EDICT = os.environ.get("EDICT_BIN", str(REPO / "target" / "debug" / "edict"))


def uri(path: pathlib.Path) -> str:
    return path.as_uri()


def utf16(text: str) -> int:
    """The length of `text` in UTF-16 code units, as LSP positions count."""
    return len(text.encode("utf-16-le")) // 2


def position(text: str, needle: str, delta: int = 0) -> types.Position:
    """The position of the first `needle` in `text` (plus `delta` characters)."""
    offset = text.index(needle) + delta
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return types.Position(line=line, character=utf16(text[start:offset]))


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[EDICT, "lsp"]))
async def client(lsp_client: LanguageClient):
    params = types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        workspace_folders=[types.WorkspaceFolder(uri=uri(POLICIES), name="policies")],
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


def open_file(client: LanguageClient, path: pathlib.Path, text: str | None = None) -> str:
    """Opens a library file (with `text` instead of what is on disk, if given)."""
    text = path.read_text(encoding="utf-8") if text is None else text
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri(path), language_id="edict", version=1, text=text
            )
        )
    )
    return text


def change_file(client: LanguageClient, path: pathlib.Path, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri(path), version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def diagnostics(client: LanguageClient, path: pathlib.Path, check, timeout: float = 20.0):
    """Waits until the diagnostics published for `path` satisfy `check`; returns them."""
    key = uri(path)

    async def wait():
        while True:
            found = client.diagnostics.get(key)
            if found is not None and check(found):
                return found
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    return await asyncio.wait_for(wait(), timeout)
