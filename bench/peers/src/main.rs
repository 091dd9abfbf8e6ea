//! regorus (Rego) and Cedar judging the per-event rules of the 2025 Measures, one event at a
//! time, for the Edict benchmarks.
//!
//! `edict-bench-peers EVENTS.jsonl` reads the stream, evaluates every event with each engine and
//! prints one JSON object: per engine its timings and the rules each event breaks (only the
//! lines that break one). The policies are `measures.rego` and `measures.cedar` beside this
//! crate; both name their rules by the ids of the compiled Edict rules.
//!
//! Timings: each engine gets its input already parsed into its own form (a regorus `Value`, a
//! Cedar `Request` with the event as its context); every decision is timed on its own for the
//! median and p99, the whole sequence in one go for decisions per second, and the sequence
//! again from the JSON lines (parse, build the input, decide) for the cost a JSON-fed service
//! pays.

use std::collections::{BTreeMap, HashMap};
use std::process::ExitCode;
use std::time::Instant;

use cedar_policy::{
    Authorizer, Context, Decision, Entities, EntityId, EntityTypeName, EntityUid, PolicyId,
    PolicySet, Request,
};
use serde_json::{Value as Json, json};

const REGO: &str = include_str!("../measures.rego");
const CEDAR: &str = include_str!("../measures.cedar");
const REGO_RULE: &str = "data.edict.measures.violations";

struct Run {
    name: &'static str,
    batch_per_second: f64,
    median_ns: f64,
    p99_ns: f64,
    from_json_per_second: f64,
    /// 1-based line → the ids of the rules it breaks, sorted.
    violations: BTreeMap<usize, Vec<String>>,
}

impl Run {
    fn to_json(&self) -> Json {
        json!({
            "name": self.name,
            "batch_per_second": self.batch_per_second,
            "median_ns": self.median_ns,
            "p99_ns": self.p99_ns,
            "from_json_per_second": self.from_json_per_second,
            "violations": self.violations.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
        })
    }
}

fn latencies(mut ns: Vec<u64>) -> (f64, f64) {
    ns.sort_unstable();
    let at = |q: f64| {
        ns.get(((ns.len().max(1) - 1) as f64 * q).round() as usize)
            .copied()
            .unwrap_or(0) as f64
    };
    (at(0.5), at(0.99))
}

fn rego_ids(value: &regorus::Value) -> Result<Vec<String>, String> {
    if let regorus::Value::Undefined = value {
        return Ok(Vec::new());
    }
    let set = value.as_set().map_err(|e| e.to_string())?;
    let mut ids = set
        .iter()
        .map(|v| {
            v.as_string()
                .map(|s| s.to_string())
                .map_err(|e| e.to_string())
        })
        .collect::<Result<Vec<_>, _>>()?;
    ids.sort();
    Ok(ids)
}

fn run_regorus(lines: &[String]) -> Result<Run, String> {
    let mut engine = regorus::Engine::new();
    engine
        .add_policy("measures.rego".into(), REGO.into())
        .map_err(|e| format!("the Rego policy does not load: {e}"))?;
    let inputs: Vec<regorus::Value> = lines
        .iter()
        .map(|l| regorus::Value::from_json_str(l).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    let rule = REGO_RULE.to_string();

    let mut violations = BTreeMap::new();
    let mut ns = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.iter().enumerate() {
        let began = Instant::now();
        engine.set_input(input.clone());
        let value = engine.eval_rule(rule.clone()).map_err(|e| e.to_string())?;
        ns.push(began.elapsed().as_nanos() as u64);
        let ids = rego_ids(&value)?;
        if !ids.is_empty() {
            violations.insert(i + 1, ids);
        }
    }
    let (median_ns, p99_ns) = latencies(ns);

    let began = Instant::now();
    for input in &inputs {
        engine.set_input(input.clone());
        std::hint::black_box(engine.eval_rule(rule.clone()).map_err(|e| e.to_string())?);
    }
    let batch = began.elapsed().as_secs_f64();

    let began = Instant::now();
    for line in lines {
        let input = regorus::Value::from_json_str(line).map_err(|e| e.to_string())?;
        engine.set_input(input);
        std::hint::black_box(engine.eval_rule(rule.clone()).map_err(|e| e.to_string())?);
    }
    let from_json = began.elapsed().as_secs_f64();

    let n = inputs.len() as f64;
    Ok(Run {
        name: "regorus (Rego)",
        batch_per_second: n / batch,
        median_ns,
        p99_ns,
        from_json_per_second: n / from_json,
        violations,
    })
}

struct Cedar {
    policies: PolicySet,
    entities: Entities,
    authorizer: Authorizer,
    /// The rule id of each `forbid` policy.
    rules: HashMap<PolicyId, String>,
    processor: EntityTypeName,
    action: EntityTypeName,
    event: EntityTypeName,
}

impl Cedar {
    fn new() -> Result<Cedar, String> {
        let policies: PolicySet = CEDAR
            .parse()
            .map_err(|e| format!("the Cedar policies do not parse: {e}"))?;
        let mut rules = HashMap::new();
        for policy in policies.policies() {
            let id = policy
                .annotation("id")
                .ok_or_else(|| format!("Cedar policy {} has no @id", policy.id()))?;
            if policy.effect() == cedar_policy::Effect::Forbid {
                rules.insert(policy.id().clone(), id.to_string());
            }
        }
        let name = |n: &str| n.parse::<EntityTypeName>().map_err(|e| e.to_string());
        Ok(Cedar {
            policies,
            entities: Entities::empty(),
            authorizer: Authorizer::new(),
            rules,
            processor: name("Processor")?,
            action: name("Action")?,
            event: name("Event")?,
        })
    }

    /// The request for one event: the processor asks to do the event type to this event, with
    /// the event's fields as the context.
    fn request(&self, line_no: usize, line: &str) -> Result<Request, String> {
        let json: Json = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let text = |key: &str| {
            json.get(key)
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let uid = |ty: &EntityTypeName, id: String| {
            EntityUid::from_type_name_and_id(ty.clone(), EntityId::new(id))
        };
        let principal = uid(&self.processor, text("processor"));
        let action = uid(&self.action, text("type"));
        let resource = uid(&self.event, format!("line-{line_no}"));
        let context = Context::from_json_value(json, None).map_err(|e| e.to_string())?;
        Request::new(principal, action, resource, context, None).map_err(|e| e.to_string())
    }

    fn decide(&self, request: &Request) -> cedar_policy::Response {
        self.authorizer
            .is_authorized(request, &self.policies, &self.entities)
    }

    fn ids(&self, response: &cedar_policy::Response) -> Result<Vec<String>, String> {
        if let Some(error) = response.diagnostics().errors().next() {
            return Err(format!("Cedar reported an error: {error}"));
        }
        let mut ids = Vec::new();
        if response.decision() == Decision::Deny {
            for id in response.diagnostics().reason() {
                ids.extend(self.rules.get(id).cloned());
            }
        }
        ids.sort();
        Ok(ids)
    }
}

fn run_cedar(lines: &[String]) -> Result<Run, String> {
    let cedar = Cedar::new()?;
    let requests: Vec<Request> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| cedar.request(i + 1, l))
        .collect::<Result<_, _>>()?;

    let mut violations = BTreeMap::new();
    let mut ns = Vec::with_capacity(requests.len());
    for (i, request) in requests.iter().enumerate() {
        let began = Instant::now();
        let response = cedar.decide(request);
        ns.push(began.elapsed().as_nanos() as u64);
        let ids = cedar.ids(&response)?;
        if !ids.is_empty() {
            violations.insert(i + 1, ids);
        }
    }
    let (median_ns, p99_ns) = latencies(ns);

    let began = Instant::now();
    for request in &requests {
        std::hint::black_box(cedar.decide(request));
    }
    let batch = began.elapsed().as_secs_f64();

    let began = Instant::now();
    for (i, line) in lines.iter().enumerate() {
        let request = cedar.request(i + 1, line)?;
        std::hint::black_box(cedar.decide(&request));
    }
    let from_json = began.elapsed().as_secs_f64();

    let n = requests.len() as f64;
    Ok(Run {
        name: "Cedar",
        batch_per_second: n / batch,
        median_ns,
        p99_ns,
        from_json_per_second: n / from_json,
        violations,
    })
}

fn run() -> Result<Json, String> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: edict-bench-peers EVENTS.jsonl")?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let rego = run_regorus(&lines)?;
    eprintln!("  regorus done");
    let cedar = run_cedar(&lines)?;
    eprintln!("  Cedar done");
    Ok(json!({ "events": lines.len(), "engines": [rego.to_json(), cedar.to_json()] }))
}

fn main() -> ExitCode {
    match run() {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
