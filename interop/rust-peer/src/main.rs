//! An echo peer for rx-mconn's interop tests, on the `cometbft-p2p` crate's SecretConnection.
//!
//! Usage:
//!   rx-mconn-rust-peer listen [seed-hex]        accept one connection on 127.0.0.1 (port printed)
//!   rx-mconn-rust-peer dial <port> [seed-hex]   connect to 127.0.0.1:<port>
//!
//! Without a seed the node key is generated. After the handshake it reads length-delimited
//! `Echo` messages and writes each back, until the other side closes. Every event is one JSON
//! line on stdout, the first one the node's identity:
//!   {"event":"identity","pubkey":"<hex>","id":"<node id>"}
//!   {"event":"listening","port":<port>}                                    (listen only)
//!   {"event":"handshake","peer_pubkey":"<hex>","peer_id":"<node id>"}
//!   {"event":"done","echoed":<messages>,"ended":"<why reading stopped>"}
//!   {"event":"error","message":"<what failed>"}                            (exit status 1)
//! Node IDs are the crate's own derivation (`PublicKey::peer_id`).

use cometbft_p2p::{
    rand_core::OsRng, IdentitySecret, PublicKey, ReadMsg, SecretConnection, WriteMsg,
};
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::process::exit;

/// The message echoed: `bytes msg = 1`.
#[derive(Clone, PartialEq, prost::Message)]
struct Echo {
    #[prost(bytes = "vec", tag = "1")]
    msg: Vec<u8>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One JSON line on stdout, flushed at once (the test synchronises on it).
fn emit(line: String) {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").and_then(|()| out.flush()).ok();
}

fn fail(message: &str) -> ! {
    emit(format!("{{\"event\":\"error\",\"message\":{message:?}}}"));
    exit(1)
}

fn identity(seed_hex: Option<&String>) -> IdentitySecret {
    let Some(text) = seed_hex else {
        return IdentitySecret::generate(&mut OsRng);
    };
    if text.len() != 64 {
        fail("the seed must be 64 hex characters");
    }
    let mut seed = [0u8; 32];
    for (i, byte) in seed.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16)
            .unwrap_or_else(|_| fail("the seed is not hex"));
    }
    IdentitySecret::from_bytes(&seed)
}

fn describe(key: PublicKey) -> (String, String) {
    let raw = key.ed25519().map(|k| hex(k.as_bytes())).unwrap_or_default();
    (raw, key.peer_id().to_string())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: rx-mconn-rust-peer listen [seed-hex] | dial <port> [seed-hex]";
    let (mode, seed_hex) = match args.get(1).map(String::as_str) {
        Some("listen") if args.len() <= 3 => ("listen", args.get(2)),
        Some("dial") if (3..=4).contains(&args.len()) => ("dial", args.get(3)),
        _ => fail(usage),
    };
    let identity = identity(seed_hex);
    let (pubkey, id) = describe(PublicKey::from(&identity));
    emit(format!(
        "{{\"event\":\"identity\",\"pubkey\":\"{pubkey}\",\"id\":\"{id}\"}}"
    ));

    let stream = if mode == "listen" {
        let listener =
            TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| fail(&format!("listen: {e}")));
        let port = listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or_else(|e| fail(&format!("listen: {e}")));
        emit(format!("{{\"event\":\"listening\",\"port\":{port}}}"));
        listener
            .accept()
            .map(|(s, _)| s)
            .unwrap_or_else(|e| fail(&format!("accept: {e}")))
    } else {
        let port = args[2].parse::<u16>().unwrap_or_else(|_| fail("bad port"));
        TcpStream::connect(("127.0.0.1", port)).unwrap_or_else(|e| fail(&format!("dial: {e}")))
    };
    stream.set_nodelay(true).ok();

    let mut conn = SecretConnection::new(stream, &identity)
        .unwrap_or_else(|e| fail(&format!("handshake: {e}")));
    let (peer_pubkey, peer_id) = describe(*conn.peer_public_key());
    emit(format!(
        "{{\"event\":\"handshake\",\"peer_pubkey\":\"{peer_pubkey}\",\"peer_id\":\"{peer_id}\"}}"
    ));

    let mut count = 0u64;
    loop {
        let echo: Echo = match conn.read_msg() {
            Ok(m) => m,
            Err(e) => {
                emit(format!(
                    "{{\"event\":\"done\",\"echoed\":{count},\"ended\":{:?}}}",
                    e.to_string()
                ));
                break;
            }
        };
        conn.write_msg(&echo)
            .unwrap_or_else(|e| fail(&format!("write of echo #{count}: {e}")));
        count += 1;
    }
}
