//! `trusted-header` mode against the emulator: who may name the user, what
//! a launch does, and every way one is refused.

mod common;

use std::net::{IpAddr, Ipv4Addr};

use common::{Harness, PASSWORD, TRUSTED_HEADER, metric, send_from};
use hyper::{Method, StatusCode};
use rescue_sso_emulator::Fault;

fn other_loopback() -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2))
}

#[tokio::test]
async fn a_trusted_proxys_user_launches_each_console() {
    let h = Harness::start(TRUSTED_HEADER).await;
    let page = h
        .send(Method::GET, "/", &[("remote-user", "123456")], "")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("Signed in as <strong id=\"user\">123456</strong>"),
        "{}",
        page.body
    );
    for console in ["dtc64", "dtc", "web"] {
        assert!(
            page.body.contains(&format!("value=\"{console}\"")),
            "{console}"
        );
    }

    let base = h.emulator.base_url();
    for (console, path, arch) in [
        (
            "dtc64",
            "/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket=",
            true,
        ),
        (
            "dtc",
            "/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket=",
            false,
        ),
        ("web", "/SSO/Login.aspx?Ticket=", false),
    ] {
        let answer = h.launch("123456", console).await;
        assert_eq!(
            answer.status,
            StatusCode::SEE_OTHER,
            "{console}: {}",
            answer.body
        );
        let location = answer.header("location");
        assert!(location.starts_with(&format!("{base}{path}")), "{location}");
        assert_eq!(location.ends_with("&arch=64"), arch, "{location}");
        assert_eq!(answer.header("cache-control"), "no-store");
        assert_eq!(answer.header("referrer-policy"), "no-referrer");
    }
    assert_eq!(h.emulator.stats().tickets_issued, 3);
    let seen = h.emulator.requests();
    assert!(
        seen.iter()
            .all(|r| r.method == Method::POST && !r.password_in_url)
    );
}

#[tokio::test]
async fn the_header_from_any_other_peer_is_refused_and_logged() {
    let h = Harness::start(TRUSTED_HEADER).await;
    for headers in [
        &[("remote-user", "123456")][..],
        &[],
        // X-Forwarded-For is never trusted.
        &[("remote-user", "123456"), ("x-forwarded-for", "127.0.0.1")],
    ] {
        for path in ["/", "/launch"] {
            let method = if path == "/" {
                Method::GET
            } else {
                Method::POST
            };
            let answer = send_from(
                other_loopback(),
                &h.url,
                method,
                path,
                headers,
                "console=dtc",
            )
            .await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{headers:?} {path}");
            assert!(answer.body.contains("sign-in proxy"), "{}", answer.body);
        }
    }
    assert_eq!(h.emulator.stats().requests, 0, "nothing reached Rescue");
    let lines = h.audit.lines();
    assert!(!lines.is_empty());
    for line in &lines {
        assert_eq!(line["event"], "refusal");
        assert_eq!(line["outcome"], "untrusted_peer");
        assert_eq!(line["status"], 403);
        assert!(
            line["peer"]
                .as_str()
                .is_some_and(|p| p.starts_with("127.0.0.2:")),
            "{line}"
        );
    }
    let metrics = h.metrics().await;
    assert_eq!(
        metric(
            &metrics,
            "rescue_sso_gateway_identity_refusals_total{reason=\"untrusted_peer\"}"
        ),
        lines.len() as u64
    );
}

#[tokio::test]
async fn a_trusted_peer_without_a_usable_header_is_401() {
    let h = Harness::start(TRUSTED_HEADER).await;
    for headers in [
        &[][..],
        &[("remote-user", "")],
        &[("remote-user", "  ")],
        &[("remote-user", "alice"), ("remote-user", "mallory")],
        // The same thing on one line (RFC 9110 joins repeats with a comma):
        // a proxy that appends to a header the client sent.
        &[("remote-user", "mallory, alice")],
        // Groups come from the proxy once too: a client's own copy next to
        // the proxy's would add the client to a group.
        &[
            ("remote-user", "alice"),
            ("remote-groups", "staff"),
            ("remote-groups", "rescue-techs"),
        ],
    ] {
        let answer = h.send(Method::GET, "/", headers, "").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{headers:?}");
    }
    let long = "a".repeat(300);
    let answer = h
        .send(Method::GET, "/", &[("remote-user", &long)], "")
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(h.emulator.stats().requests, 0);
}

#[tokio::test]
async fn cross_site_launches_are_refused_before_rescue_is_asked() {
    let h = Harness::start(TRUSTED_HEADER).await;
    let form = ("content-type", "application/x-www-form-urlencoded");
    let own = h.url.clone();
    for headers in [
        &[("origin", "https://evil.example")][..],
        &[("origin", "null")],
        &[("sec-fetch-site", "cross-site")],
        &[("sec-fetch-site", "same-site")],
        &[
            ("origin", "https://evil.example"),
            ("sec-fetch-site", "same-origin"),
        ],
        // A browser sends each once: a second copy is judged foreign
        // whichever comes first.
        &[
            ("sec-fetch-site", "same-origin"),
            ("sec-fetch-site", "cross-site"),
        ],
        &[("origin", "{own}"), ("origin", "https://evil.example")],
    ] {
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|&(name, value)| {
                (
                    name,
                    if value == "{own}" {
                        own.as_str()
                    } else {
                        value
                    },
                )
            })
            .collect();
        let mut all = vec![("remote-user", "123456"), form];
        all.extend_from_slice(&headers);
        let answer = h.send(Method::POST, "/launch", &all, "console=dtc").await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert!(answer.body.contains("another site"), "{}", answer.body);
    }
    assert_eq!(h.emulator.stats().requests, 0);
    // No Origin and no Sec-Fetch-Site: not a browser, no forgery to fear.
    let answer = h
        .send(
            Method::POST,
            "/launch",
            &[("remote-user", "123456"), form],
            "console=dtc",
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    let metrics = h.metrics().await;
    assert_eq!(
        metric(
            &metrics,
            "rescue_sso_gateway_launches_total{console=\"-\",outcome=\"cross_site\"}"
        ),
        7
    );
}

#[tokio::test]
async fn a_get_launches_only_from_a_bookmark() {
    let h = Harness::start(TRUSTED_HEADER).await;
    let user = ("remote-user", "123456");
    let bookmark = h
        .send(
            Method::GET,
            "/launch?console=dtc",
            &[user, ("sec-fetch-site", "none")],
            "",
        )
        .await;
    assert_eq!(bookmark.status, StatusCode::SEE_OTHER);
    // A HEAD asks for the headers of what a GET would answer: it must not
    // mint a ticket to throw away (nor show one in its Location).
    let head = h
        .send(
            Method::HEAD,
            "/launch?console=dtc",
            &[user, ("sec-fetch-site", "none")],
            "",
        )
        .await;
    assert_eq!(head.status, StatusCode::OK);
    for headers in [
        &[user, ("sec-fetch-site", "cross-site")][..],
        &[user, ("sec-fetch-site", "same-site")],
        &[user],
    ] {
        let answer = h
            .send(Method::GET, "/launch?console=dtc", headers, "")
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{headers:?}");
        assert!(answer.body.contains("Start LogMeIn Rescue"));
    }
    assert_eq!(h.emulator.stats().tickets_issued, 1);
}

#[tokio::test]
async fn users_without_an_sso_id_or_group_get_a_page_not_a_call() {
    let h = Harness::start(TRUSTED_HEADER).await;
    let dir = h.dir.clone();
    drop(h);
    let map = dir.join("map.csv");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(&map, "CORP\\Alice,alice\n").expect("map");
    let h = Harness::start(&format!(
        "{TRUSTED_HEADER}[technicians]\nsso_id = \"\"\nstrip_domain = true\nlowercase = true\nmap_file = \"{}\"\nallowed_groups = [\"rescue-techs\"]\n",
        map.display()
    ))
    .await;
    let ok = launch_in_groups(&h, "alice@corp.example", "staff, rescue-techs").await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let unknown = launch_in_groups(&h, "bob", "rescue-techs").await;
    assert_eq!(unknown.status, StatusCode::FORBIDDEN);
    assert!(
        unknown
            .body
            .contains("no LogMeIn Rescue technician account"),
        "{}",
        unknown.body
    );
    let outside = launch_in_groups(&h, "alice", "staff").await;
    assert_eq!(outside.status, StatusCode::FORBIDDEN);
    assert!(outside.body.contains("not in a group"), "{}", outside.body);
    assert_eq!(h.emulator.stats().requests, 1);
    let outcomes: Vec<String> = h
        .audit
        .lines()
        .iter()
        .map(|l| l["outcome"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(outcomes, ["ok", "no_sso_id", "not_in_group"]);
}

async fn launch_in_groups(h: &Harness, user: &str, groups: &str) -> common::Answer {
    let origin = h.url.clone();
    h.send(
        Method::POST,
        "/launch",
        &[
            ("remote-user", user),
            ("remote-groups", groups),
            ("origin", &origin),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        "console=dtc",
    )
    .await
}

#[tokio::test]
async fn rescue_refusals_and_faults_each_have_their_status() {
    let h = Harness::start_with(common::emulator().await, "1s", TRUSTED_HEADER).await;
    let faults = h.emulator.faults();
    let custom = |body: &'static str| Fault::Custom {
        status: 200,
        body: body.into(),
        content_type: None,
    };
    let cases = [
        (
            custom("INVALIDPASSWORD"),
            StatusCode::BAD_GATEWAY,
            "refused",
        ),
        (
            custom("INVALIDCOMPANYID"),
            StatusCode::BAD_GATEWAY,
            "refused",
        ),
        (
            custom("MISSINGPARAMETERS"),
            StatusCode::BAD_GATEWAY,
            "refused",
        ),
        (
            Fault::ServerError,
            StatusCode::BAD_GATEWAY,
            "invalid_answer",
        ),
        (
            custom("OK:https://evil.example/"),
            StatusCode::BAD_GATEWAY,
            "invalid_answer",
        ),
        (Fault::Reset, StatusCode::SERVICE_UNAVAILABLE, "unreachable"),
        (
            Fault::Delay(std::time::Duration::from_secs(3)),
            StatusCode::GATEWAY_TIMEOUT,
            "timeout",
        ),
    ];
    for (fault, status, outcome) in cases {
        faults.push_next(fault.clone());
        let answer = h.launch("123456", "dtc").await;
        assert_eq!(answer.status, status, "{fault:?}: {}", answer.body);
        assert!(answer.body.contains("administrator"), "{}", answer.body);
        assert!(!answer.body.contains(PASSWORD));
        let request_id = answer.header("x-request-id").to_owned();
        assert!(
            answer.body.contains(&request_id),
            "the page shows its request id"
        );
        let last = h.audit.lines().pop().expect("an audit line");
        assert_eq!(last["outcome"], outcome, "{fault:?}");
        assert_eq!(last["request_id"], request_id.as_str());
    }
}

#[tokio::test]
async fn a_rescue_nobody_answers_for_is_503() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let h = Harness::start(TRUSTED_HEADER).await;
    let dir = common::scratch("unreachable");
    let toml = format!(
        "listen = \"127.0.0.1:0\"\n{}{TRUSTED_HEADER}",
        common::rescue_section(&h.emulator, &dir, "2s")
    )
    .replace(
        &h.emulator.base_url(),
        &format!("https://127.0.0.1:{closed}"),
    );
    let config = rescue_sso_gateway::Config::from_toml(&toml, &dir).expect("config");
    let unreachable = Harness::serve(common::emulator().await, config, dir).await;
    let answer = unreachable.launch("123456", "dtc").await;
    assert_eq!(
        answer.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        answer.body
    );
    let ready = unreachable.send(Method::GET, "/readyz", &[], "").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(ready.body.contains("not reachable"), "{}", ready.body);
}

#[tokio::test]
async fn too_many_launches_are_429_with_retry_after() {
    let h = Harness::start(&format!(
        "{TRUSTED_HEADER}[technicians]\nstrip_domain = true\nlowercase = true\n[limits]\nper_user = \"2/minute\"\n"
    ))
    .await;
    assert_eq!(
        h.launch("123456", "dtc").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        h.launch("123456", "dtc").await.status,
        StatusCode::SEE_OTHER
    );
    let limited = h.launch("123456", "dtc").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = limited.header("retry-after").parse().expect("seconds");
    assert!((1..=30).contains(&retry), "{retry}");
    // The allowance is the technician's: other spellings of the same name,
    // which mint the same SSO ID, share it.
    for spelling in ["CORP\\123456", "123456@corp.example"] {
        let limited = h.launch(spelling, "dtc").await;
        assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "{spelling}");
    }
    // Another user has an allowance of their own.
    assert_eq!(h.launch("alice", "dtc").await.status, StatusCode::SEE_OTHER);
    assert_eq!(h.emulator.stats().tickets_issued, 3);
    assert_eq!(
        metric(&h.metrics().await, "rescue_sso_gateway_rate_limited_total"),
        3
    );
}

#[tokio::test]
async fn the_audit_log_metrics_and_pages_hold_no_secret() {
    let h = Harness::start(TRUSTED_HEADER).await;
    let mut seen = Vec::new();
    for console in ["dtc64", "web"] {
        let answer = h.launch("123456", console).await;
        seen.push(answer.header("location").to_owned());
    }
    h.emulator.faults().push_next(Fault::Custom {
        status: 500,
        body: format!("<html>you sent Password={PASSWORD}</html>").into(),
        content_type: None,
    });
    let failed = h.launch("123456", "dtc").await;
    assert_eq!(failed.status, StatusCode::BAD_GATEWAY);
    let _ = send_from(
        other_loopback(),
        &h.url,
        Method::GET,
        "/",
        &[("remote-user", "x")],
        "",
    )
    .await;
    let metrics = h.metrics().await;
    let audit = h.audit.text();
    let encoded: String = form_urlencoded::byte_serialize(PASSWORD.as_bytes()).collect();
    for text in [&audit, &metrics, &failed.body] {
        assert!(!text.contains(PASSWORD), "{text}");
        assert!(!text.contains(&encoded), "{text}");
        for location in &seen {
            let ticket = location
                .rsplit(['=', '&'])
                .find(|part| part.len() == 36)
                .unwrap_or("");
            assert!(!ticket.is_empty());
            assert!(!text.contains(ticket), "a ticket in {text}");
            assert!(!text.contains(location.as_str()));
        }
    }
    // Each launch and refusal is one line, with what happened.
    let lines = h.audit.lines();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["user"], "123456");
    assert_eq!(lines[0]["sso_id"], "123456");
    assert_eq!(lines[0]["console"], "dtc64");
    assert_eq!(lines[0]["outcome"], "ok");
    assert_eq!(lines[0]["status"], 303);
    assert!(lines[0]["rescue_ms"].is_u64());
    assert!(lines[0]["time"].as_str().is_some_and(|t| t.ends_with('Z')));
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let h = Harness::start(TRUSTED_HEADER).await;
    let answers = [
        h.send(Method::GET, "/", &[("remote-user", "123456")], "")
            .await,
        h.send(Method::GET, "/", &[], "").await,
        h.send(Method::GET, "/nowhere", &[("remote-user", "123456")], "")
            .await,
        h.launch("123456", "dtc").await,
        h.send(Method::GET, "/healthz", &[], "").await,
    ];
    let emulator_origin = h.emulator.base_url();
    for answer in &answers {
        let csp = answer.header("content-security-policy");
        assert!(csp.contains("default-src 'none'"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(
            csp.contains(&format!("form-action 'self' {emulator_origin}")),
            "{csp}"
        );
        assert!(!csp.contains("script-src"), "{csp}");
        assert_eq!(answer.header("x-content-type-options"), "nosniff");
        assert_eq!(answer.header("x-frame-options"), "DENY");
        assert_eq!(answer.header("cache-control"), "no-store");
        assert_eq!(answer.header("x-request-id").len(), 32);
        // Served over plain http on loopback: no HSTS.
        assert_eq!(answer.header("strict-transport-security"), "");
    }
    // Pages let the browser send its Origin with their own form (under
    // no-referrer it would send `Origin: null`, which is refused); the
    // launch's redirect tells Rescue nothing of where it came from.
    assert_eq!(answers[0].header("referrer-policy"), "same-origin");
    assert_eq!(answers[3].header("referrer-policy"), "no-referrer");
    // A request id a client sends is not taken.
    let answer = h
        .send(Method::GET, "/healthz", &[("x-request-id", "forged")], "")
        .await;
    assert_ne!(answer.header("x-request-id"), "forged");
}

#[tokio::test]
async fn oversized_requests_are_refused() {
    let h = Harness::start(TRUSTED_HEADER).await;
    let big = "console=dtc&x=".to_owned() + &"a".repeat(64 * 1024);
    let origin = h.url.clone();
    let answer = h
        .send(
            Method::POST,
            "/launch",
            &[("remote-user", "123456"), ("origin", &origin)],
            &big,
        )
        .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(h.emulator.stats().requests, 0);
    let bad = h.launch("123456", "nonsense").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

/// Everything the gateway sends until it closes the connection (or resets
/// it). Fails if it keeps the connection open past 15 s.
async fn read_until_closed(stream: &mut tokio::net::TcpStream) -> Vec<u8> {
    use tokio::io::AsyncReadExt;

    let mut answer = Vec::new();
    let closed = tokio::time::timeout(std::time::Duration::from_secs(15), async {
        let mut chunk = [0u8; 4096];
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the gateway kept the connection open");
    answer
}

/// What a client that writes `bytes` on a fresh connection gets back before
/// the gateway closes it: the status of the answer, if any, and how long
/// the gateway took to close. Fails if it keeps the connection past 15 s.
async fn raw_exchange(url: &str, bytes: &[u8]) -> (Option<u16>, std::time::Duration) {
    use tokio::io::AsyncWriteExt;

    let mut stream = tokio::net::TcpStream::connect(url.trim_start_matches("http://"))
        .await
        .expect("connect");
    let started = std::time::Instant::now();
    // The gateway may answer and close before it has read everything.
    let _ = stream.write_all(bytes).await;
    let answer = read_until_closed(&mut stream).await;
    let status = std::str::from_utf8(&answer)
        .ok()
        .and_then(|text| text.strip_prefix("HTTP/1.1 "))
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok());
    (status, started.elapsed())
}

/// The gateway in trusted-header mode with a Rescue timeout of `timeout`
/// and these `[server]` settings.
async fn with_server(timeout: &str, server: &str) -> Harness {
    Harness::start_with(
        common::emulator().await,
        timeout,
        &format!("{TRUSTED_HEADER}[server]\n{server}"),
    )
    .await
}

/// docs/gateway.md: "a head of 16 KiB and 64 fields, a body of 16 KiB, the
/// head within `server.header_read_timeout`, the whole request within
/// `rescue.timeout` + 5 s", played by a client that oversteps each one.
#[tokio::test]
async fn a_request_is_bounded_in_head_size_fields_and_time() {
    use std::time::Duration;

    let h = with_server("1s", "header_read_timeout = \"1s\"\n").await;
    let start = "GET / HTTP/1.1\r\nHost: gateway\r\nRemote-User: 123456\r\nConnection: close\r\n";

    // Within the limits: 60 fields, a 15 KiB head.
    let mut within = start.to_owned();
    for n in 0..56 {
        within.push_str(&format!("X-Field-{n}: {n}\r\n"));
    }
    within.push_str(&format!("X-Filler: {}\r\n\r\n", "a".repeat(14 * 1024)));
    assert!(within.len() < 15 * 1024 + 512);
    assert_eq!(raw_exchange(&h.url, within.as_bytes()).await.0, Some(200));

    // A head over 16 KiB.
    let big = format!("{start}X-Filler: {}\r\n\r\n", "a".repeat(16 * 1024));
    assert_eq!(raw_exchange(&h.url, big.as_bytes()).await.0, Some(431));

    // 65 fields.
    let mut many = start.to_owned();
    for n in 0..62 {
        many.push_str(&format!("X-Field-{n}: {n}\r\n"));
    }
    many.push_str("\r\n");
    assert_eq!(raw_exchange(&h.url, many.as_bytes()).await.0, Some(431));

    // A head that never ends is cut off at header_read_timeout.
    let (status, took) = raw_exchange(&h.url, b"GET / HTTP/1.1\r\nHost: gateway\r\n").await;
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(5),
        "{status:?} after {took:?}"
    );

    // A body that never ends: the whole request ends at rescue.timeout + 5 s,
    // and Rescue is never asked.
    let origin = h.url.clone();
    let stalled = format!(
        "POST /launch HTTP/1.1\r\nHost: gateway\r\nRemote-User: 123456\r\nOrigin: {origin}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nconsole=dt"
    );
    let (status, took) = raw_exchange(&h.url, stalled.as_bytes()).await;
    // The client's fault: 408, a page, a metric and an audit line.
    assert_eq!(status, Some(408), "after {took:?}");
    assert!(
        took >= Duration::from_millis(5900) && took < Duration::from_secs(10),
        "{took:?}"
    );
    assert_eq!(h.emulator.stats().requests, 0);
    assert_eq!(
        metric(
            &h.metrics().await,
            "rescue_sso_gateway_request_refusals_total{reason=\"request_timeout\"}"
        ),
        1
    );
    let audit = h.audit.lines();
    let last = audit.last().expect("an audit line");
    assert_eq!(last["outcome"], "request_timeout", "{last}");
    assert_eq!(last["status"], 408, "{last}");
}

/// HTTP/2's framing bounds the size of a head but not its number of
/// fields, so the gateway counts them itself: the same 64 as HTTP/1.1.
#[tokio::test]
async fn an_http2_request_with_too_many_fields_is_431() {
    use http_body_util::{BodyExt, Empty};
    use hyper::body::Bytes;

    let h = Harness::start(TRUSTED_HEADER).await;
    let (mut sender, _conn) = h2c(&h, None).await;
    for (fields, want) in [
        (60, StatusCode::OK),
        (70, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE),
    ] {
        let mut request =
            hyper::Request::get(format!("{}/", h.url)).header("remote-user", "123456");
        for n in 1..fields {
            request = request.header(format!("x-field-{n}"), "1");
        }
        let response = sender
            .send_request(request.body(Empty::<Bytes>::new()).expect("request"))
            .await
            .expect("response");
        assert_eq!(response.status(), want, "{fields} fields");
        let csp = response.headers().get("content-security-policy").cloned();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        assert!(csp.is_some(), "{fields} fields: no security headers");
        assert!(!body.is_empty(), "{fields} fields: no page");
    }
    assert_eq!(h.emulator.stats().requests, 0);
    assert_eq!(
        metric(
            &h.metrics().await,
            "rescue_sso_gateway_request_refusals_total{reason=\"too_many_fields\"}"
        ),
        1
    );
}

/// A connection that holds a descriptor and says nothing is closed: one
/// that sends no byte within `server.header_read_timeout` of connecting,
/// and a kept-alive one that starts no next request within it after its
/// answer. (Twenty thousand silent sockets held open used to exhaust the
/// gateway's descriptors, and no one could launch.) Over TLS the handshake
/// has its own 10 s, then the same holds.
#[tokio::test]
async fn silent_and_idle_connections_are_closed() {
    use std::time::Duration;

    let h = with_server("10s", "header_read_timeout = \"1s\"\n").await;

    // Silent from the start, or after the start of an HTTP/2 preface (which
    // hyper reads whole before its own timeouts apply).
    for opening in [&b""[..], b"PRI * HTTP"] {
        let (status, took) = raw_exchange(&h.url, opening).await;
        assert_eq!(status, None);
        assert!(
            took >= Duration::from_millis(900) && took < Duration::from_secs(5),
            "{opening:?}: {took:?}"
        );
    }

    // One request answered, then silence.
    let mut stream = idle_http1(&h).await;
    let answered = std::time::Instant::now();
    read_until_closed(&mut stream).await;
    let idle = answered.elapsed();
    assert!(
        idle >= Duration::from_millis(900) && idle < Duration::from_secs(5),
        "{idle:?}"
    );
}

type H2Sender = hyper::client::conn::http2::SendRequest<http_body_util::Empty<hyper::body::Bytes>>;
type H2Task = tokio::task::JoinHandle<Result<(), hyper::Error>>;

/// An h2c connection to the gateway that pings every 100 ms, with this
/// initial stream window if given: its sender (the client would close the
/// connection without it), and the task driving it, which ends when the
/// gateway closes it.
async fn h2c(h: &Harness, stream_window: Option<u32>) -> (H2Sender, H2Task) {
    let tcp = tokio::net::TcpStream::connect(h.url.trim_start_matches("http://"))
        .await
        .expect("connect");
    let mut builder =
        hyper::client::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new());
    builder
        .timer(hyper_util::rt::TokioTimer::new())
        .keep_alive_interval(std::time::Duration::from_millis(100))
        .keep_alive_while_idle(true);
    if let Some(window) = stream_window {
        builder.initial_stream_window_size(window);
    }
    let (sender, conn) = builder
        .handshake(hyper_util::rt::TokioIo::new(tcp))
        .await
        .expect("h2c");
    (sender, tokio::spawn(conn))
}

/// As [`h2c`], after one answered `GET /healthz`.
async fn idle_http2(h: &Harness) -> (H2Sender, H2Task) {
    use http_body_util::{BodyExt, Empty};
    use hyper::body::Bytes;

    let (mut sender, conn) = h2c(h, None).await;
    let response = sender
        .send_request(
            hyper::Request::get(format!("{}/healthz", h.url))
                .body(Empty::<Bytes>::new())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    response.into_body().collect().await.expect("body");
    (sender, conn)
}

/// An idle HTTP/1.1 connection to the gateway, after one answered
/// `GET /healthz`.
async fn idle_http1(h: &Harness) -> tokio::net::TcpStream {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    let mut stream = tokio::net::TcpStream::connect(h.url.trim_start_matches("http://"))
        .await
        .expect("connect");
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n")
        .await
        .expect("write");
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await.expect("read");
        assert!(n > 0, "closed before the answer");
        answer.extend_from_slice(&chunk[..n]);
    }
    assert!(answer.starts_with(b"HTTP/1.1 200"), "{answer:?}");
    stream
}

/// An HTTP/2 connection with no request in flight is closed within
/// `server.header_read_timeout` of its last answer, like an HTTP/1.1 one,
/// though it answers every PING: the connection's pings are no request.
/// (hyper's HTTP/2 server has no idle deadline of its own: such a
/// connection held its descriptor for as long as the client liked.)
#[tokio::test]
async fn an_idle_http2_connection_is_closed_though_it_answers_pings() {
    use std::time::Duration;

    let h = with_server("10s", "header_read_timeout = \"1s\"\n").await;
    let (_sender, conn) = idle_http2(&h).await;
    let answered = std::time::Instant::now();

    let closed = tokio::time::timeout(Duration::from_secs(5), conn).await;
    let idle = answered.elapsed();
    assert!(closed.is_ok(), "still open {idle:?} after its last answer");
    assert!(idle >= Duration::from_millis(900), "{idle:?}");
}

/// A client that never opens its flow-control window, so no answer body
/// can reach it, is let go too: the request counts until its answer is
/// ready, and the connection, told to go, has `header_read_timeout` more
/// to finish. (It used to be held for as long as the client answered
/// pings: the GOAWAY waits for open streams.)
#[tokio::test]
async fn an_http2_client_that_reads_nothing_is_let_go() {
    use http_body_util::Empty;
    use hyper::body::Bytes;
    use std::time::Duration;

    let h = with_server("10s", "header_read_timeout = \"1s\"\n").await;
    let (mut sender, conn) = h2c(&h, Some(0)).await;
    let response = sender
        .send_request(
            hyper::Request::get(format!("{}/", h.url))
                .header("remote-user", "123456")
                .body(Empty::<Bytes>::new())
                .expect("request"),
        )
        .await
        .expect("response head");
    assert_eq!(response.status(), StatusCode::OK);
    let closed = tokio::time::timeout(Duration::from_secs(6), conn).await;
    assert!(closed.is_ok(), "the connection was held open");
    drop(response);
}

/// A shutdown lets idle connections go at once, over either protocol: it
/// waits for launches in flight (see the CLI's SIGTERM test), not for
/// `shutdown_grace` or the idle deadline.
#[tokio::test]
async fn a_shutdown_closes_idle_connections_at_once() {
    use std::time::{Duration, Instant};

    let h = with_server(
        "10s",
        "header_read_timeout = \"30s\"\nshutdown_grace = \"30s\"\n",
    )
    .await;
    let (_sender, h2) = idle_http2(&h).await;
    let mut h1 = idle_http1(&h).await;
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(5), h.stop())
        .await
        .expect("the shutdown waited for idle connections");
    let _ = tokio::time::timeout(Duration::from_secs(5), h2)
        .await
        .expect("the HTTP/2 connection stayed open")
        .expect("task");
    read_until_closed(&mut h1).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_unix_listener_trusts_its_peers_only_when_told() {
    use http_body_util::{BodyExt, Full};
    use hyper::body::Bytes;

    async fn over_unix(
        path: &std::path::Path,
        request: hyper::Request<Full<Bytes>>,
    ) -> (StatusCode, String, String) {
        let stream = tokio::net::UnixStream::connect(path)
            .await
            .expect("connect");
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .expect("handshake");
        tokio::spawn(conn);
        let response = sender.send_request(request).await.expect("response");
        let status = response.status();
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let hsts = response
            .headers()
            .get("strict-transport-security")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let _ = response.into_body().collect().await;
        (status, location, hsts)
    }

    for (trusted, want) in [
        ("[\"unix\"]", StatusCode::SEE_OTHER),
        ("[\"127.0.0.1/32\"]", StatusCode::FORBIDDEN),
    ] {
        let emulator = common::emulator().await;
        let dir = common::scratch("unix");
        let socket = dir.join("gateway.sock");
        let toml = format!(
            "listen = \"unix:{}\"\npublic_url = \"https://gw.example\"\n{}[identity]\nmode = \"trusted-header\"\ntrusted_proxies = {trusted}\n",
            socket.display(),
            common::rescue_section(&emulator, &dir, "10s")
        );
        let config = rescue_sso_gateway::Config::from_toml(&toml, &dir).expect("config");
        let h = Harness::serve(emulator, config, dir).await;
        assert_eq!(h.url, format!("unix:{}", socket.display()));
        let request = hyper::Request::post("/launch")
            .header("host", "gw.example")
            .header("remote-user", "123456")
            .header("origin", "https://gw.example")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Full::new(Bytes::from_static(b"console=web")))
            .expect("request");
        let (status, location, hsts) = over_unix(&socket, request).await;
        assert_eq!(status, want, "{trusted}");
        // Its public URL is https (a proxy in front terminates TLS): HSTS.
        assert_eq!(hsts, "max-age=31536000");
        if want == StatusCode::SEE_OTHER {
            assert!(location.contains("/SSO/Login.aspx?Ticket="), "{location}");
        }

        // Whoever can connect may name any user when `unix` is trusted: the
        // socket is the owner's and its group's (the proxy's), whatever the
        // umask, and nobody else's.
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&socket)
            .expect("socket")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o660, "{mode:o}");

        // A second gateway on the same path never takes over a live socket.
        let again = rescue_sso_gateway::Config::from_toml(&toml, &h.dir).expect("config");
        let err = rescue_sso_gateway::Server::bind(again).await.unwrap_err();
        assert!(
            matches!(err, rescue_sso_gateway::Error::Listen { .. }),
            "{err:?}"
        );
        let request = hyper::Request::get("/healthz")
            .header("host", "gw.example")
            .body(Full::new(Bytes::new()))
            .expect("request");
        assert_eq!(over_unix(&socket, request).await.0, StatusCode::OK);
    }
}

#[tokio::test]
async fn it_serves_https_itself_with_hsts_when_given_a_certificate() {
    use std::sync::Arc;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let ca_key = rcgen::KeyPair::generate().expect("key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).expect("ca");
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .expect("params")
        .signed_by(&key, &issuer)
        .expect("cert");

    let emulator = common::emulator().await;
    let dir = common::scratch("tls");
    std::fs::write(dir.join("cert.pem"), cert.pem()).expect("cert");
    std::fs::write(dir.join("key.pem"), key.serialize_pem()).expect("key");
    let toml = format!(
        "listen = \"127.0.0.1:0\"\n[tls]\ncert_file = \"cert.pem\"\nkey_file = \"key.pem\"\n{}{TRUSTED_HEADER}",
        common::rescue_section(&emulator, &dir, "10s")
    );
    let config = rescue_sso_gateway::Config::from_toml(&toml, &dir).expect("config");
    let h = Harness::serve(emulator, config, dir).await;
    assert!(h.url.starts_with("https://127.0.0.1:"), "{}", h.url);

    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca_cert.der().clone()).expect("root");
    let client = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let addr = h.url.trim_start_matches("https://");
    let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let name = rustls_pki_types::ServerName::try_from("127.0.0.1").expect("name");
    let mut tls = tokio_rustls::TlsConnector::from(Arc::new(client))
        .connect(name, tcp)
        .await
        .expect("a verified handshake");
    tls.write_all(
        format!(
            "GET / HTTP/1.1\r\nhost: {addr}\r\nremote-user: 123456\r\nconnection: close\r\n\r\n"
        )
        .as_bytes(),
    )
    .await
    .expect("write");
    let mut answer = String::new();
    let _ = tls.read_to_string(&mut answer).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains("strict-transport-security: max-age=31536000"),
        "{answer}"
    );
}

/// `rescue.keep_warm` (the default): a TLS connection to Rescue is opened
/// at start, with no request on it, and the first launch goes out on it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_launch_rides_the_connection_opened_at_start() {
    let h = Harness::start(TRUSTED_HEADER).await;
    let warm = tokio::task::block_in_place(|| {
        h.emulator.wait_until(
            |s| s.tls_handshakes == 1,
            std::time::Duration::from_secs(10),
        )
    });
    assert!(warm, "{:?}", h.emulator.stats());
    assert_eq!(h.emulator.stats().requests, 0, "no request of its own");
    let answer = h.launch("123456", "dtc").await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(h.emulator.requests()[0].connection, 1);
}

#[tokio::test]
async fn without_keep_warm_nothing_connects_before_the_first_launch() {
    // The line lands in the [rescue] section the harness writes last.
    let h = Harness::start(&format!("keep_warm = false\n{TRUSTED_HEADER}")).await;
    let page = h
        .send(Method::GET, "/", &[("remote-user", "123456")], "")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(h.emulator.stats().connections, 0);
    assert_eq!(
        h.launch("123456", "dtc").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(h.emulator.stats().connections, 1);
}
