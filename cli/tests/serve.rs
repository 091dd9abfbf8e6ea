//! `edict serve` as a client meets it: a real server on a loopback port, every endpoint, the
//! refusals, hot reload of signed bundles, and restarts (clean and SIGKILL) with the state kept.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a test fails loudly when its fixtures are missing or broken"
)]

mod common;
mod service;

use std::path::Path;

use common::{MEASURES, code, edict, scratch, stderr, stdout};
use edict_runtime::Bundle;
use edict_runtime::signature::SecretKey;
use service::Server;

const VIOLATIONS: &str = "../policies/measures-2025/examples/violations.jsonl";

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn generated(events: u64) -> Vec<String> {
    edict_generator::Generator::new(edict_generator::Config {
        events,
        seed: 21,
        violation_rate: 0.05,
        processors: 3,
        mean_gap_ms: 30_000,
        ..edict_generator::Config::default()
    })
    .map(|l| l.text)
    .collect()
}

#[test]
fn every_endpoint_answers_and_bad_requests_are_json_errors() {
    let dir = scratch("serve-endpoints");
    let token = dir.join("token");
    std::fs::write(&token, "s3cret\n").unwrap();
    let state = dir.join("state");
    let server = Server::start(&[
        MEASURES,
        "--state",
        s(&state),
        "--token-file",
        s(&token),
        "--max-body",
        "65536",
    ]);

    // No token: only /health and the OpenAPI document answer.
    let refused = server.post("/v1/events", "{}");
    assert_eq!(refused.status, 401);
    assert!(
        refused.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("bearer token")
    );
    assert_eq!(server.get("/health").status, 200);
    let doc = server.get("/v1/openapi.json");
    assert_eq!(doc.status, 200);
    let doc = doc.json();
    let wrong = Server::request(
        &server,
        "GET",
        "/metrics",
        &[("Authorization", "Bearer nope")],
        b"",
    );
    assert_eq!(wrong.status, 401);
    let server = server.with_token("s3cret");

    // Every endpoint of the document is served (none is a 404).
    let paths = doc["paths"].as_object().unwrap();
    assert_eq!(paths.len(), 9, "{paths:?}");
    for (path, operations) in paths {
        for method in operations.as_object().unwrap().keys() {
            let path = path.replace("{name}", "probe");
            let answer = server.request(&method.to_uppercase(), &path, &[], b"");
            assert_ne!(answer.status, 404, "{method} {path}: {}", answer.body);
            assert_ne!(answer.status, 405, "{method} {path}: {}", answer.body);
        }
    }

    // A batch with a bad line: the line is set aside and named, the rest judged.
    let stream = std::fs::read_to_string(VIOLATIONS).unwrap();
    let mut lines: Vec<&str> = stream.lines().collect();
    lines.insert(1, "{not json");
    let batch = lines.join("\n") + "\n";
    let first = server.request(
        "POST",
        "/v1/events",
        &[("Idempotency-Key", "batch-1")],
        batch.as_bytes(),
    );
    assert_eq!(first.status, 200, "{}", first.body);
    let first = first.json();
    assert_eq!(first["lines"], lines.len());
    assert_eq!(first["rejected"], 1);
    assert_eq!(first["rejected_lines"], serde_json::json!([2]));
    assert_eq!(first["replayed"], false);
    let findings = first["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["finding"]["finding"] == "input_error" && f["batch_line"] == 2)
    );
    assert!(
        findings
            .iter()
            .all(|f| f["revision"].as_str().unwrap().starts_with("sha256:"))
    );

    // The same batch again is answered again, not judged again.
    let again = server.request(
        "POST",
        "/v1/events",
        &[("Idempotency-Key", "batch-1")],
        batch.as_bytes(),
    );
    assert_eq!(again.json()["replayed"], true);
    assert_eq!(again.json()["findings"], first["findings"]);
    let total = server.get("/v1/findings?limit=1000").json();
    assert_eq!(total["findings"].as_array().unwrap().len(), findings.len());

    // A JSON array is a batch too; a body that is not JSON is a 400 naming the line.
    let array = format!("[{},\n{}]", lines[0], lines[2]);
    let answer = server.request(
        "POST",
        "/v1/events",
        &[("Content-Type", "application/json")],
        array.as_bytes(),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["lines"], 2);
    let broken = server.request(
        "POST",
        "/v1/events",
        &[("Content-Type", "application/json")],
        b"[{\"type\":\"x\"},\n{oops}]",
    );
    assert_eq!(broken.status, 400);
    assert_eq!(broken.json()["error"]["line"], 2);
    assert_eq!(broken.header("content-type"), Some("application/json"));

    // Bodies over the limit, bad parameters and unknown endpoints: 4xx with a JSON error.
    let big = "x".repeat(70_000);
    assert_eq!(server.post("/v1/events", &big).status, 413);
    for (path, status, says) in [
        ("/v1/findings?kind=bad", 400, "`kind` must be one of"),
        (
            "/v1/findings?colour=red",
            400,
            "unknown query parameter `colour`",
        ),
        (
            "/v1/findings?limit=0",
            400,
            "`limit` must be from 1 to 1000",
        ),
        ("/v1/findings?from=yesterday", 400, "RFC 3339"),
        ("/v1/nothing", 404, "no such endpoint"),
    ] {
        let answer = server.get(path);
        assert_eq!(answer.status, status, "{path}: {}", answer.body);
        assert!(
            answer.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains(says),
            "{path}: {}",
            answer.body
        );
    }
    assert_eq!(server.request("DELETE", "/v1/events", &[], b"").status, 405);
    assert_eq!(server.post("/v1/advance?to=soon", "").status, 400);

    // The decision log: paged, filtered, streamed.
    let page = server.get("/v1/findings?limit=2").json();
    assert_eq!(page["findings"].as_array().unwrap().len(), 2);
    assert_eq!(page["more"], true);
    let next = page["next"].as_u64().unwrap();
    let rest = server
        .get(&format!("/v1/findings?after={next}&limit=1000"))
        .json();
    assert_eq!(rest["more"], false);
    let art7 = server.get("/v1/findings?article=7&kind=violation").json();
    assert!(!art7["findings"].as_array().unwrap().is_empty());
    assert!(
        art7["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["finding"]["article"] == 7)
    );
    let by_rule = server.get("/v1/findings?rule=measures-2025%2Fart7").json();
    assert_eq!(by_rule["findings"], art7["findings"]);
    let streamed = server.get("/v1/findings?stream=true");
    assert_eq!(
        streamed.header("content-type"),
        Some("application/x-ndjson")
    );
    let all = server.get("/v1/findings?limit=1000").json();
    assert_eq!(
        streamed.body.lines().count(),
        all["findings"].as_array().unwrap().len()
    );

    // Open deadlines, then time passes and they fall due.
    let open = server.get("/v1/obligations").json();
    let obligations = open["obligations"].as_array().unwrap();
    assert!(!obligations.is_empty());
    assert!(
        obligations
            .iter()
            .all(|o| o["deadline"].is_string() && o["rule"].is_string())
    );
    let advanced = server.post("/v1/advance?to=2031-01-01T00:00:00%2B08:00", "");
    assert_eq!(advanced.status, 200, "{}", advanced.body);
    let overdue = advanced.json()["findings"].as_array().unwrap().len();
    assert!(overdue >= obligations.len(), "{overdue}");
    assert!(
        server.get("/v1/obligations").json()["obligations"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Events before the advanced time are late now.
    let late = server.post("/v1/events", lines[0]).json();
    assert_eq!(late["rejected"], 1);

    let bundles = server.get("/v1/bundles").json();
    assert_eq!(bundles["bundles"][0]["name"], "measures-2025");

    // A followed stream sends findings made after it opened, and ends when the server stops.
    let after = server.get("/v1/findings?limit=1").json()["more"].clone();
    assert_eq!(after, true);
    let last = {
        let all = server.get("/v1/findings?limit=1000").json();
        all["next"].as_u64().unwrap()
    };
    let (addr, auth) = (
        server.addr,
        vec![("Authorization".to_owned(), "Bearer s3cret".to_owned())],
    );
    let follower = std::thread::spawn(move || {
        service::request(
            addr,
            "GET",
            &format!("/v1/findings?stream=true&follow=true&after={last}"),
            &auth,
            b"",
        )
    });
    std::thread::sleep(std::time::Duration::from_millis(300));
    let refusal = r#"{"type":"refusal","time":"2031-01-02T00:00:00+08:00","processor":"p","alternative_provided":false}"#;
    let posted = server.post("/v1/events?batch=late-refusal", refusal).json();
    assert_eq!(posted["rejected"], 0, "{posted}");
    let metrics = server.get("/metrics");
    assert_eq!(metrics.status, 200);
    assert!(
        metrics
            .body
            .contains(&format!("edict_events_total {}", lines.len() + 4)),
        "{}",
        metrics.body
    );
    assert!(metrics.body.contains("edict_checkpoint_age_seconds"));
    assert!(metrics.body.contains("edict_queue_depth 0"));
    let flushed = server
        .post("/v1/advance?to=2031-01-03T00:00:00%2B08:00", "")
        .json();
    assert_eq!(
        flushed["findings"].as_array().unwrap().len(),
        1,
        "{flushed}"
    );
    assert_eq!(server.stop(), Some(0));
    let followed = follower.join().unwrap();
    assert_eq!(followed.status, 200);
    let lines: Vec<serde_json::Value> = followed
        .body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{}", followed.body);
    assert_eq!(
        lines[0]["finding"]["rule"],
        "measures-2025/art10/p2/alternative-on-refusal"
    );
}

#[test]
fn signed_bundles_are_hot_reloaded_and_bad_ones_refused() {
    let dir = scratch("serve-reload");
    for key in ["alice", "mallory"] {
        let out = edict(&["keygen", "-o", s(&dir.join(key))]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    let alice = SecretKey::parse(&std::fs::read_to_string(dir.join("alice.key")).unwrap()).unwrap();
    let mallory =
        SecretKey::parse(&std::fs::read_to_string(dir.join("mallory.key")).unwrap()).unwrap();
    let unsigned = dir.join("unsigned.json");
    let out = edict(&["build", MEASURES, "-o", s(&unsigned)]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let base = Bundle::from_json(&std::fs::read_to_string(&unsigned).unwrap()).unwrap();
    let signed = |key: &SecretKey, note: &str| {
        let mut program = base.program.clone();
        for rule in &mut program.rules {
            rule.message.push_str(note);
        }
        let mut bundle = Bundle::new(program);
        bundle.sign(key);
        bundle
    };

    let watched = dir.join("bundles");
    std::fs::create_dir_all(&watched).unwrap();
    let first = signed(&alice, "");
    std::fs::write(watched.join("measures.json"), first.to_json()).unwrap();
    let server = Server::start(&[
        "--state",
        s(&dir.join("state")),
        "--bundles",
        s(&watched),
        "--key",
        s(&dir.join("alice.pub")),
        "--watch-interval",
        "1",
    ]);
    let bundles = server.get("/v1/bundles").json();
    assert_eq!(bundles["bundles"][0]["revision"], first.hash.as_str());
    assert_eq!(bundles["bundles"][0]["signer"], alice.public().id());
    let stream = std::fs::read_to_string(VIOLATIONS).unwrap();
    let answer = server.post("/v1/events", &stream).json();
    assert!(
        answer["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["revision"] == first.hash.as_str())
    );

    // A tampered file in the watched folder is refused; the last good revision keeps serving.
    let mut tampered = first.clone();
    tampered.program.rules[0].message = "changed".to_owned();
    tampered.hash = edict_runtime::bundle::program_hash(&tampered.program);
    std::fs::write(watched.join("measures.json"), tampered.to_json()).unwrap();
    server.wait_for_log("refused");
    let bundles = server.get("/v1/bundles").json();
    assert_eq!(bundles["bundles"][0]["revision"], first.hash.as_str());
    assert!(
        bundles["refused"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("changed after signing"),
        "{bundles}"
    );

    // Uploads: unsigned and wrongly signed are refused with 422, a signed one loads.
    let put = |bundle: &Bundle| {
        server.request(
            "PUT",
            "/v1/bundles/measures",
            &[],
            bundle.to_json().as_bytes(),
        )
    };
    let answer = put(&base);
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(
        answer.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not signed")
    );
    let answer = put(&signed(&mallory, " (m)"));
    assert_eq!(answer.status, 422);
    assert!(
        answer.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not a trusted key")
    );
    let damaged = format!("{{\"edict_bundle\": {}}}", edict_runtime::BUNDLE_FORMAT);
    let damaged = server.request("PUT", "/v1/bundles/measures", &[], damaged.as_bytes());
    assert_eq!(damaged.status, 400);
    let bad_name = server.request("PUT", "/v1/bundles/..", &[], first.to_json().as_bytes());
    assert_eq!(bad_name.status, 400, "{}", bad_name.body);

    let second = signed(&alice, " (revised)");
    let answer = put(&second);
    assert_eq!(answer.status, 200, "{}", answer.body);
    let answer = answer.json();
    assert_eq!(answer["revision"], second.hash.as_str());
    assert!(
        answer["kept"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k.as_str().unwrap().starts_with("state `stored_subjects`")),
        "{answer}"
    );
    // The decision log records the revision of each finding.
    let late = server
        .post("/v1/events", stream.lines().last().unwrap())
        .json();
    assert!(
        late["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["revision"] == second.hash.as_str())
    );
    let log = server.get("/v1/findings?limit=1000").json();
    let revisions: std::collections::BTreeSet<&str> = log["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["revision"].as_str().unwrap())
        .collect();
    assert!(revisions.contains(first.hash.as_str()));
    assert_eq!(server.stop(), Some(0));
}

/// Posts lines in batches of `size`, checking each is answered.
fn post_all(server: &Server, lines: &[String], size: usize) {
    for chunk in lines.chunks(size) {
        let answer = server.post("/v1/events", &(chunk.join("\n") + "\n"));
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
}

/// The decision log's findings (without their sequence numbers and batch lines).
fn logged(server: &Server) -> Vec<String> {
    let streamed = server.get("/v1/findings?stream=true");
    let mut found: Vec<String> = streamed
        .body
        .lines()
        .map(|l| {
            let record: serde_json::Value = serde_json::from_str(l).unwrap();
            record["finding"].to_string()
        })
        .collect();
    found.sort();
    found
}

#[test]
fn restarts_keep_the_state_and_the_findings_exactly_once() {
    let dir = scratch("serve-restart");
    let lines = generated(3_000);
    let events = dir.join("events.jsonl");
    std::fs::write(&events, lines.join("\n") + "\n").unwrap();
    let last_time = {
        let last: serde_json::Value = serde_json::from_str(lines.last().unwrap()).unwrap();
        last["time"].as_str().unwrap().to_owned()
    };
    // An uninterrupted `edict run`: its findings but the `open` ones are what the server must
    // log once time reaches the last event; the `open` ones are the obligations left.
    let out = edict(&[
        "run",
        MEASURES,
        "--events",
        s(&events),
        "--as-of",
        &last_time,
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut expected: Vec<String> = Vec::new();
    let mut open = 0;
    for line in stdout(&out).lines() {
        let finding: serde_json::Value = serde_json::from_str(line).unwrap();
        if finding["finding"] == "open" {
            open += 1;
        } else {
            expected.push(finding.to_string());
        }
    }
    expected.sort();

    let state = dir.join("state");
    let args = [
        MEASURES,
        "--state",
        s(&state),
        "--checkpoint-interval",
        "3600",
    ];
    // A clean stop after the first third: it checkpoints.
    let server = Server::start(&args);
    post_all(&server, &lines[..1_000], 250);
    assert_eq!(server.stop(), Some(0));
    // The second third, then SIGKILL: only the log covers these batches.
    let server = Server::start(&args);
    post_all(&server, &lines[1_000..2_000], 250);
    server.kill();
    // The last third after the crash; then time reaches the last event.
    let server = Server::start(&args);
    assert!(
        server.log_text().contains("replayed 4 logged batches"),
        "{}",
        server.log_text()
    );
    post_all(&server, &lines[2_000..], 250);
    let to = last_time.replace('+', "%2B");
    assert_eq!(server.post(&format!("/v1/advance?to={to}"), "").status, 200);
    assert_eq!(logged(&server), expected);
    let obligations = server.get("/v1/obligations").json();
    assert_eq!(obligations["obligations"].as_array().unwrap().len(), open);
    assert_eq!(server.stop(), Some(0));
}

#[test]
fn a_full_queue_answers_429_with_retry_after() {
    let dir = scratch("serve-busy");
    let server = Server::start(&[MEASURES, "--state", s(&dir.join("state")), "--queue", "1"]);
    let body = generated(20_000).join("\n") + "\n";
    let addr = server.addr;
    let answers: Vec<service::Answer> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| service::request(addr, "POST", "/v1/events", &[], body.as_bytes()))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let busy: Vec<&service::Answer> = answers.iter().filter(|a| a.status == 429).collect();
    assert!(
        !busy.is_empty(),
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    assert!(answers.iter().all(|a| a.status == 200 || a.status == 429));
    assert_eq!(busy[0].header("retry-after"), Some("1"));
    assert!(
        busy[0].json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("busy")
    );
    assert_eq!(server.stop(), Some(0));
}
