//! Load benchmark for community budget voting (issue 7), on loopback: serves the real router on
//! 127.0.0.1 and drives it with many concurrent voters over raw HTTP/1.1 keep-alive connections.
//! Each voter loads the code page (which sets the anonymous CSRF cookie and token) and casts a
//! ballot with a fresh code in one POST (code checked, ballot validated, code marked used and
//! ballot stored in one transaction, audit entry). Prints ballots/s and latency percentiles.
//!
//!   cargo run --release -p levers-web --example ballot_load -- [--ballots 5000] [--concurrency 32] [--postgres URL]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use levers_pb::codes::{code_from_random, code_hash, display};
use levers_pb::process::{AllocationRule, Area, BallotType, Phase, ProcessDef};
use levers_store::Actor;
use levers_store::pb_process::{NewProposal, Review};
use levers_store::testing::{scratch_postgres, scratch_sqlite};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

struct Conn {
    r: BufReader<tokio::net::tcp::OwnedReadHalf>,
    w: tokio::net::tcp::OwnedWriteHalf,
}

impl Conn {
    async fn open(addr: SocketAddr) -> Conn {
        let s = TcpStream::connect(addr).await.expect("connect");
        s.set_nodelay(true).ok();
        let (r, w) = s.into_split();
        Conn {
            r: BufReader::new(r),
            w,
        }
    }

    /// Sends one request and reads the whole response: (status, set-cookie values, body).
    async fn request(&mut self, req: &str) -> (u16, Vec<String>, String) {
        self.w.write_all(req.as_bytes()).await.expect("write");
        let mut line = String::new();
        self.r.read_line(&mut line).await.expect("status line");
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut len = 0usize;
        let mut cookies = Vec::new();
        loop {
            line.clear();
            self.r.read_line(&mut line).await.expect("header");
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let lower = l.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                len = v.trim().parse().unwrap_or(0);
            } else if lower.starts_with("set-cookie:") {
                cookies.push(
                    l["set-cookie:".len()..]
                        .trim()
                        .split(';')
                        .next()
                        .unwrap_or("")
                        .to_string(),
                );
            }
        }
        let mut body = vec![0u8; len];
        self.r.read_exact(&mut body).await.expect("body");
        (status, cookies, String::from_utf8_lossy(&body).into_owned())
    }
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let n: usize = arg("--ballots")
        .and_then(|s| s.parse().ok())
        .unwrap_or(5000);
    let conc: usize = arg("--concurrency")
        .and_then(|s| s.parse().ok())
        .unwrap_or(32);
    let (store, scratch) = match arg("--postgres") {
        Some(url) => scratch_postgres(&url).await.expect("postgres"),
        None => scratch_sqlite().await.expect("sqlite"),
    };
    let officer = Actor::system("bench");
    let def = ProcessDef {
        name: "Load test".into(),
        slug: "load".into(),
        description: String::new(),
        area_name: "Everywhere".into(),
        area: Area::Wards(vec!["X05000001".into()]),
        pot_pence: 10_000_000,
        ballot: BallotType::Approval { max_choices: 3 },
        rule: AllocationRule::EqualShares,
        min_age: None,
        shuffle: true,
        phases: vec![],
    };
    let p = store.create_pb_process(&officer, &def).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..8 {
        let id = store
            .submit_pb_proposal(
                &officer,
                p.id,
                &NewProposal {
                    title: format!("Project {i}"),
                    description: "x".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        store
            .review_pb_proposal(
                &officer,
                id,
                &Review::Accept {
                    final_cost_pence: 500_000 + i * 100_000,
                    reason: String::new(),
                    feasibility: String::new(),
                    title: String::new(),
                },
            )
            .await
            .unwrap();
        ids.push(id);
    }
    store
        .set_pb_phase(&officer, p.id, Phase::Voting)
        .await
        .unwrap();
    let codes: Vec<String> = (0..n)
        .map(|i| {
            code_from_random(
                (i as u128 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835),
            )
        })
        .collect();
    for chunk in codes.chunks(5000) {
        let hashes: Vec<String> = chunk.iter().map(|c| code_hash(p.id, c)).collect();
        store
            .create_pb_code_batch(&officer, p.id, "bench", None, &hashes)
            .await
            .unwrap();
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = levers_web::router(store.clone(), levers_web::WebConfig::default())
        .into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let queue = std::sync::Arc::new(std::sync::Mutex::new(
        codes.into_iter().enumerate().collect::<Vec<_>>(),
    ));
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..conc {
        let (queue, ids) = (queue.clone(), ids.clone());
        set.spawn(async move {
            let mut conn = Conn::open(addr).await;
            let (mut get_lat, mut cast_lat, mut voter_lat, mut failures) = (Vec::new(), Vec::new(), Vec::new(), 0usize);
            loop {
                let next = queue.lock().unwrap().pop();
                let Some((i, code)) = next else { break };
                let t0 = Instant::now();
                let (status, cookies, body) = conn.request("GET /community-budgets/load/vote HTTP/1.1\r\nHost: bench\r\n\r\n").await;
                assert_eq!(status, 200);
                let t1 = Instant::now();
                let cookie = cookies.iter().find(|c| c.starts_with("levers_csrf=")).cloned().unwrap_or_default();
                let token = body.split("name=\"csrf_token\" value=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or("").to_string();
                let form = format!(
                    "csrf_token={token}&code={}&p={}&p={}&action=cast",
                    display(&code),
                    ids[i % ids.len()],
                    ids[(i * 7 + 3) % ids.len()]
                );
                let req = format!(
                    "POST /community-budgets/load/ballot HTTP/1.1\r\nHost: bench\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
                    form.len()
                );
                let (status, _, body) = conn.request(&req).await;
                let t2 = Instant::now();
                if status != 200 || !body.contains("Your vote has been cast") {
                    failures += 1;
                }
                get_lat.push(t1 - t0);
                cast_lat.push(t2 - t1);
                voter_lat.push(t2 - t0);
            }
            (get_lat, cast_lat, voter_lat, failures)
        });
    }
    let (mut get_lat, mut cast_lat, mut voter_lat, mut failures) =
        (Vec::new(), Vec::new(), Vec::new(), 0);
    while let Some(r) = set.join_next().await {
        let (g, c, v, f) = r.unwrap();
        get_lat.extend(g);
        cast_lat.extend(c);
        voter_lat.extend(v);
        failures += f;
    }
    let elapsed = started.elapsed().as_secs_f64();
    get_lat.sort();
    cast_lat.sort();
    voter_lat.sort();
    let (cast, sealed) = store.pb_ballot_counts(p.id).await.unwrap();
    println!(
        "backend={} ballots={n} concurrency={conc} stored={} failures={failures} seconds={elapsed:.2} ballots_per_s={:.0}",
        store.backend_name(),
        cast + sealed,
        n as f64 / elapsed
    );
    println!(
        "cast POST ms: p50={:.1} p90={:.1} p99={:.1} max={:.1}; code page GET ms: p50={:.1} p99={:.1}; whole voter ms: p50={:.1} p99={:.1}",
        pct(&cast_lat, 0.5),
        pct(&cast_lat, 0.9),
        pct(&cast_lat, 0.99),
        pct(&cast_lat, 1.0),
        pct(&get_lat, 0.5),
        pct(&get_lat, 0.99),
        pct(&voter_lat, 0.5),
        pct(&voter_lat, 0.99)
    );
    assert_eq!(
        (cast + sealed) as usize,
        n - failures,
        "every accepted ballot is stored"
    );
    store.close().await;
    scratch.remove().await;
}
