//! The gateway load benchmark's reference: the same tickets the gateway
//! fetches, fetched directly by `rescue_sso_hyper::Client` from the same
//! emulator, at the same concurrency (`benches/gateway.sh` runs both).
//!
//! ```text
//! direct-load --endpoint URL --ca-file PEM --company-id ID --password-file FILE
//!             --sso-id ID --concurrency C --requests N [--warm-up N]
//! ```
//!
//! The client is configured as the gateway configures its own (the
//! operating system's verifier plus the CA file, the proxy settings of the
//! environment, a 10 s deadline). `C` tasks take calls from a shared count
//! until `N` are done; each call is timed from before the request to the
//! validated ticket. It prints one line in the format of the wrk script
//! (`benches/gateway.lua`):
//!
//! ```text
//! RESULT responses=N failures=F seconds=S p50_us=P p99_us=Q
//! ```
//!
//! and exits 1 if any call failed.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rescue_sso_hyper::{Client, DEFAULT_CONNECT_TIMEOUT};
use rescue_sso_proto::{CompanyId, Endpoint, GetDtcLoginTicket, Password, SsoId};

/// The gateway's default `[rescue] timeout`.
const TIMEOUT: Duration = Duration::from_secs(10);

const USAGE: &str = "usage: direct-load --endpoint URL --ca-file PEM --company-id ID \
--password-file FILE --sso-id ID --concurrency C --requests N [--warm-up N]";

#[derive(Debug)]
struct Args {
    endpoint: Endpoint,
    ca_pem: Vec<u8>,
    op: GetDtcLoginTicket,
    concurrency: usize,
    requests: usize,
    warm_up: usize,
}

fn args() -> Result<Args, String> {
    let mut argv = std::env::args().skip(1);
    let (mut endpoint, mut ca_file, mut company, mut password_file, mut sso_id) =
        (None, None, None, None, None);
    let (mut concurrency, mut requests, mut warm_up) = (None, None, 0);
    while let Some(flag) = argv.next() {
        let value = argv.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<usize>()
                .map_err(|e| format!("{flag} {value}: {e}"))
        };
        match flag.as_str() {
            "--endpoint" => endpoint = Some(value),
            "--ca-file" => ca_file = Some(value),
            "--company-id" => company = Some(value),
            "--password-file" => password_file = Some(value),
            "--sso-id" => sso_id = Some(value),
            "--concurrency" => concurrency = Some(number()?),
            "--requests" => requests = Some(number()?),
            "--warm-up" => warm_up = number()?,
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    let missing = |what: &str| format!("{what} is required");
    let endpoint = endpoint.ok_or_else(|| missing("--endpoint"))?;
    let endpoint = Endpoint::new(&endpoint).map_err(|e| format!("--endpoint {endpoint}: {e}"))?;
    let ca_file = ca_file.ok_or_else(|| missing("--ca-file"))?;
    let ca_pem = std::fs::read(&ca_file).map_err(|e| format!("--ca-file {ca_file}: {e}"))?;
    let password_file = password_file.ok_or_else(|| missing("--password-file"))?;
    let password = std::fs::read_to_string(&password_file)
        .map_err(|e| format!("--password-file {password_file}: {e}"))?;
    let password = Password::new(password.trim_end_matches(['\r', '\n']))
        .map_err(|e| format!("--password-file: {e}"))?;
    let company = CompanyId::new(&company.ok_or_else(|| missing("--company-id"))?)
        .map_err(|e| format!("--company-id: {e}"))?;
    let sso_id = SsoId::new(&sso_id.ok_or_else(|| missing("--sso-id"))?)
        .map_err(|e| format!("--sso-id: {e}"))?;
    let concurrency = concurrency.ok_or_else(|| missing("--concurrency"))?;
    if concurrency == 0 {
        return Err("--concurrency must be at least 1".into());
    }
    Ok(Args {
        endpoint,
        ca_pem,
        op: GetDtcLoginTicket::new(sso_id, company, password),
        concurrency,
        requests: requests.ok_or_else(|| missing("--requests"))?,
        warm_up,
    })
}

/// What the tasks measured: each call's latency in microseconds, and how
/// many calls failed.
#[derive(Debug, Default)]
struct Tally {
    latencies_us: Vec<u64>,
    failures: usize,
}

/// `total` calls over `concurrency` tasks.
async fn run(client: &Client, op: &GetDtcLoginTicket, concurrency: usize, total: usize) -> Tally {
    let next = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, op, next) = (client.clone(), op.clone(), Arc::clone(&next));
            tokio::spawn(async move {
                let mut tally = Tally::default();
                while next.fetch_add(1, Ordering::Relaxed) < total {
                    let started = Instant::now();
                    let result = client.dtc_login_ticket(&op).await;
                    let elapsed = started.elapsed();
                    match result {
                        Ok(ticket) => {
                            std::hint::black_box(ticket);
                            tally
                                .latencies_us
                                .push(u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX));
                        }
                        Err(err) => {
                            if tally.failures == 0 {
                                eprintln!("direct-load: a call failed: {err}");
                            }
                            tally.failures += 1;
                        }
                    }
                }
                tally
            })
        })
        .collect();
    let mut all = Tally::default();
    for task in tasks {
        let tally = task.await.expect("a load task panicked");
        all.latencies_us.extend(tally.latencies_us);
        all.failures += tally.failures;
    }
    all
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    // A rank, from a small positive float: truncation cannot happen.
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn main() -> ExitCode {
    let args = match args() {
        Ok(args) => args,
        Err(err) => {
            eprintln!("direct-load: {err}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // The gateway's own runtime: multi-threaded, one worker per core.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the tokio runtime");
    runtime.block_on(async {
        let client = match Client::builder()
            .endpoint(args.endpoint.clone())
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT.min(DEFAULT_CONNECT_TIMEOUT))
            .add_root_pem(&args.ca_pem)
            .build()
        {
            Ok(client) => client,
            Err(err) => {
                eprintln!("direct-load: the client: {err}");
                return ExitCode::FAILURE;
            }
        };
        if args.warm_up > 0 {
            let warm = run(&client, &args.op, args.concurrency, args.warm_up).await;
            if warm.failures > 0 {
                eprintln!("direct-load: {} warm-up calls failed", warm.failures);
                return ExitCode::FAILURE;
            }
        }
        let started = Instant::now();
        let mut tally = run(&client, &args.op, args.concurrency, args.requests).await;
        let seconds = started.elapsed().as_secs_f64();
        tally.latencies_us.sort_unstable();
        println!(
            "RESULT responses={} failures={} seconds={seconds:.3} p50_us={} p99_us={}",
            tally.latencies_us.len(),
            tally.failures,
            percentile(&tally.latencies_us, 50.0),
            percentile(&tally.latencies_us, 99.0),
        );
        if tally.failures > 0 {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    })
}
