//! Shared pieces of the rescue-sso benchmarks: fixtures and a counting
//! global allocator.

pub mod alloc_count;
pub mod clients;

/// A typical successful answer, as Rescue sends it.
pub const OK_ANSWER: &[u8] = b"OK:https://secure.logmeinrescue.com/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket=4c6f1815-1e0c-43ab-8117-d79b8f523824&arch=64";

/// A refusal.
pub const ERROR_ANSWER: &[u8] = b"INVALIDPASSWORD";

/// A typical HTTP/1.1 response carrying [`OK_ANSWER`], as IIS frames it.
pub const OK_RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\n\
Cache-Control: private\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Server: Microsoft-IIS/10.0\r\n\
X-AspNet-Version: 4.0.30319\r\n\
X-Powered-By: ASP.NET\r\n\
Date: Sat, 28 Nov 2026 10:00:00 GMT\r\n\
Content-Length: 146\r\n\
\r\n\
OK:https://secure.logmeinrescue.com/TechConsole/DesktopApp/DownloadSSO.aspx?companyid=654321&ticket=4c6f1815-1e0c-43ab-8117-d79b8f523824&arch=64";
