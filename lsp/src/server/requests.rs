//! The requests the server answers, each turning the compiler's answer (byte offsets) into the
//! protocol's (lines and UTF-16 code units).

use std::io::Write;

use edict_compiler::ide::{self, CompletionKind, SymbolKind, TokenClass};
use edict_compiler::suggestion::suggestion;
use edict_format::{FormatError, Options};
use lsp_types::{
    CodeActionParams, CompletionParams, DocumentFormattingParams, DocumentSymbolParams,
    GotoDefinitionParams, HoverParams, ReferenceParams, SemanticTokensParams,
    TextDocumentPositionParams,
};
use serde_json::{Value, json};

use super::{Failure, METHOD_NOT_FOUND, REQUEST_FAILED, Server, convert, parse, path_of};
use crate::lines::{LineIndex, location, path_to_uri};

/// The token types of semantic tokens, in the order of [`TokenClass`] indexes.
const TOKEN_TYPES: &[&str] = &[
    "keyword",
    "string",
    "number",
    "comment",
    "operator",
    "type",
    "enumMember",
    "property",
    "parameter",
    "variable",
    "function",
    "namespace",
];
const TOKEN_MODIFIERS: &[&str] = &["declaration", "readonly"];

/// What the server can do, for `initialize`.
pub fn capabilities() -> Value {
    json!({
        "capabilities": {
            "positionEncoding": "utf-16",
            "textDocumentSync": { "openClose": true, "change": 1 },
            "hoverProvider": true,
            "definitionProvider": true,
            "referencesProvider": true,
            "documentSymbolProvider": true,
            "documentFormattingProvider": true,
            "codeActionProvider": { "codeActionKinds": ["quickfix"] },
            "completionProvider": { "triggerCharacters": [".", " ", "=", "第"] },
            "semanticTokensProvider": {
                "legend": { "tokenTypes": TOKEN_TYPES, "tokenModifiers": TOKEN_MODIFIERS },
                "full": true,
            },
        },
        "serverInfo": { "name": "edict", "version": env!("CARGO_PKG_VERSION") },
    })
}

pub fn dispatch<W: Write>(
    server: &mut Server<W>,
    method: &str,
    params: Value,
) -> Result<Value, Failure> {
    match method {
        "textDocument/hover" => hover(server, parse(params)?),
        "textDocument/definition" => definition(server, parse(params)?),
        "textDocument/references" => references(server, parse(params)?),
        "textDocument/completion" => completion(server, parse(params)?),
        "textDocument/documentSymbol" => symbols(server, parse(params)?),
        "textDocument/formatting" => formatting(server, parse(params)?),
        "textDocument/codeAction" => code_actions(server, parse(params)?),
        "textDocument/semanticTokens/full" => semantic_tokens(server, parse(params)?),
        _ => Err(Failure::new(
            METHOD_NOT_FOUND,
            format!("`{method}` is not supported"),
        )),
    }
}

/// The package, file and byte offset a position request names; `None` for a file the server
/// does not know.
fn at<W: Write>(
    server: &Server<W>,
    p: &TextDocumentPositionParams,
) -> Result<Option<(usize, edict_compiler::SourceFile, u32)>, Failure> {
    let path = path_of(&p.text_document.uri)?;
    let Some((package, file)) = server.package_of(&path) else {
        return Ok(None);
    };
    let index = LineIndex::new(server.ws.text_of(file));
    Ok(Some((package, file, index.offset(p.position))))
}

fn hover<W: Write>(server: &mut Server<W>, p: HoverParams) -> Result<Value, Failure> {
    let Some((package, file, offset)) = at(server, &p.text_document_position_params)? else {
        return Ok(Value::Null);
    };
    let ws = &server.ws;
    let Some(h) = ide::hover(ws, &server.packages[package], file, offset) else {
        return Ok(Value::Null);
    };
    let index = LineIndex::new(ws.text_of(file));
    Ok(json!({
        "contents": { "kind": "markdown", "value": h.markdown },
        "range": index.range(h.span.start, h.span.end),
    }))
}

fn definition<W: Write>(server: &mut Server<W>, p: GotoDefinitionParams) -> Result<Value, Failure> {
    let Some((package, file, offset)) = at(server, &p.text_document_position_params)? else {
        return Ok(Value::Null);
    };
    let ws = &server.ws;
    let found =
        ide::definition(ws, &server.packages[package], file, offset).and_then(|l| location(ws, l));
    Ok(serde_json::to_value(found).unwrap_or(Value::Null))
}

fn references<W: Write>(server: &mut Server<W>, p: ReferenceParams) -> Result<Value, Failure> {
    let Some((package, file, offset)) = at(server, &p.text_document_position)? else {
        return Ok(Value::Null);
    };
    let ws = &server.ws;
    let found: Vec<lsp_types::Location> = ide::references(
        ws,
        &server.packages[package],
        file,
        offset,
        p.context.include_declaration,
    )
    .into_iter()
    .filter_map(|l| location(ws, l))
    .collect();
    Ok(serde_json::to_value(found).unwrap_or(Value::Null))
}

fn completion<W: Write>(server: &mut Server<W>, p: CompletionParams) -> Result<Value, Failure> {
    let Some((package, file, offset)) = at(server, &p.text_document_position)? else {
        return Ok(Value::Null);
    };
    let ws = &server.ws;
    let index = LineIndex::new(ws.text_of(file));
    let items: Vec<Value> = ide::completions(ws, &server.packages[package], file, offset)
        .into_iter()
        .map(|c| {
            // CompletionItemKind: keyword 14, class 7, field 5, enum member 20, module 9,
            // variable 6, constant 21.
            let kind = match c.kind {
                CompletionKind::Keyword => 14,
                CompletionKind::EventType => 7,
                CompletionKind::Field => 5,
                CompletionKind::EnumValue => 20,
                CompletionKind::Clause => 9,
                CompletionKind::Variable => 6,
                CompletionKind::Constant => 21,
            };
            json!({
                "label": c.label,
                "kind": kind,
                "detail": c.detail,
                "textEdit": {
                    "range": index.range(c.replace.start, c.replace.end),
                    "newText": c.insert,
                },
            })
        })
        .collect();
    Ok(json!({ "isIncomplete": false, "items": items }))
}

fn symbols<W: Write>(server: &mut Server<W>, p: DocumentSymbolParams) -> Result<Value, Failure> {
    let path = path_of(&p.text_document.uri)?;
    let ws = &server.ws;
    let Some(file) = ws.file(&path) else {
        return Ok(Value::Null);
    };
    let index = LineIndex::new(ws.text_of(file));
    fn convert_symbol(index: &LineIndex<'_>, s: &ide::Symbol) -> Value {
        // SymbolKind: module 2, namespace 3, function 12, constant 14, variable 13,
        // struct 23, enum 10, event 24, object 19.
        let kind = match s.kind {
            SymbolKind::Regulation | SymbolKind::Vocabulary => 2,
            SymbolKind::Clause => 3,
            SymbolKind::Rule => 12,
            SymbolKind::Exemption => 24,
            SymbolKind::Constant => 14,
            SymbolKind::State => 13,
            SymbolKind::Event | SymbolKind::Record => 23,
            SymbolKind::Enum => 10,
            SymbolKind::Calendar => 19,
        };
        let children: Vec<Value> = s
            .children
            .iter()
            .map(|c| convert_symbol(index, c))
            .collect();
        json!({
            "name": s.name,
            "detail": s.detail,
            "kind": kind,
            "range": index.range(s.span.start, s.span.end),
            "selectionRange": index.range(s.selection.start, s.selection.end),
            "children": children,
        })
    }
    let out: Vec<Value> = ide::symbols(ws, file)
        .iter()
        .map(|s| convert_symbol(&index, s))
        .collect();
    Ok(Value::Array(out))
}

fn formatting<W: Write>(
    server: &mut Server<W>,
    p: DocumentFormattingParams,
) -> Result<Value, Failure> {
    let path = path_of(&p.text_document.uri)?;
    let ws = &server.ws;
    let Some(file) = ws.file(&path) else {
        return Ok(Value::Null);
    };
    let text = ws.text_of(file);
    match edict_format::format(text, &Options::default()) {
        Ok(formatted) if formatted == text => Ok(json!([])),
        Ok(formatted) => {
            let index = LineIndex::new(text);
            let end = u32::try_from(text.len()).unwrap_or(u32::MAX);
            Ok(json!([{ "range": index.range(0, end), "newText": formatted }]))
        }
        Err(FormatError::Syntax(errors)) => {
            let index = LineIndex::new(text);
            let first = errors.first().map(|e| {
                let at = index.position(e.span.start);
                format!(" (line {}: {})", at.line + 1, e.message.en)
            });
            Err(Failure::new(
                REQUEST_FAILED,
                format!(
                    "the file has syntax errors{}; fix them before formatting",
                    first.unwrap_or_default()
                ),
            ))
        }
        Err(FormatError::Internal(reason)) => Err(Failure::new(REQUEST_FAILED, reason)),
    }
}

fn code_actions<W: Write>(server: &mut Server<W>, p: CodeActionParams) -> Result<Value, Failure> {
    let path = path_of(&p.text_document.uri)?;
    let Some((package, file)) = server.package_of(&path) else {
        return Ok(json!([]));
    };
    let ws = &server.ws;
    let index = LineIndex::new(ws.text_of(file));
    let (from, to) = (index.offset(p.range.start), index.offset(p.range.end));
    let mut actions = Vec::new();
    for d in ws.diagnostics(&server.packages[package]) {
        if d.primary.file != file || d.primary.span.end < from || d.primary.span.start > to {
            continue;
        }
        let Some(fix) = suggestion(ws.db(), d) else {
            continue;
        };
        let Some(uri) = path_to_uri(&path) else {
            continue;
        };
        let edit = json!({
            "range": index.range(fix.span.start, fix.span.end),
            "newText": fix.replacement,
        });
        let mut changes = serde_json::Map::new();
        changes.insert(uri.as_str().to_owned(), json!([edit]));
        actions.push(json!({
            "title": format!("Replace with `{}`", fix.replacement),
            "kind": "quickfix",
            "isPreferred": true,
            "diagnostics": [convert(ws, d)],
            "edit": { "changes": changes },
        }));
    }
    Ok(Value::Array(actions))
}

fn semantic_tokens<W: Write>(
    server: &mut Server<W>,
    p: SemanticTokensParams,
) -> Result<Value, Failure> {
    let path = path_of(&p.text_document.uri)?;
    let Some((package, file)) = server.package_of(&path) else {
        return Ok(json!({ "data": [] }));
    };
    let ws = &server.ws;
    let text = ws.text_of(file);
    let index = LineIndex::new(text);
    let mut data: Vec<u32> = Vec::new();
    let (mut line, mut column) = (0u32, 0u32);
    for t in ide::semantic_tokens(ws, &server.packages[package], file) {
        let start = index.position(t.span.start);
        let end = index.position(t.span.end);
        // Tokens never span lines; one that did would be cut at its line's end.
        let length = if end.line == start.line {
            end.character - start.character
        } else {
            text[t.span.range()]
                .split('\n')
                .next()
                .map_or(0, |l| l.encode_utf16().count() as u32)
        };
        let class = match t.class {
            TokenClass::Keyword => 0,
            TokenClass::String => 1,
            TokenClass::Number => 2,
            TokenClass::Comment => 3,
            TokenClass::Operator => 4,
            TokenClass::Type => 5,
            TokenClass::EnumMember => 6,
            TokenClass::Property => 7,
            TokenClass::Parameter => 8,
            TokenClass::Variable => 9,
            TokenClass::Function => 10,
            TokenClass::Namespace => 11,
        };
        let modifiers = u32::from(t.declaration) | (u32::from(t.readonly) << 1);
        let delta_line = start.line - line;
        let delta_start = if delta_line == 0 {
            start.character - column
        } else {
            start.character
        };
        data.extend([delta_line, delta_start, length, class, modifiers]);
        line = start.line;
        column = start.character;
    }
    Ok(json!({ "data": data }))
}
