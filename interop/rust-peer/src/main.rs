//! An echo peer for rx-mconn's interop tests, on the `cometbft-p2p` crate's SecretConnection.
//!
//! Usage:
//!   rx-mconn-rust-peer listen <seed-hex>        accept one connection on 127.0.0.1 (port printed)
//!   rx-mconn-rust-peer dial <port> <seed-hex>   connect to 127.0.0.1:<port>
//!
//! After the handshake it reads length-delimited `Echo` messages and writes each back, until
//! the other side closes. Every event is one JSON line on stdout.

use cometbft_p2p::{IdentitySecret, ReadMsg, SecretConnection, WriteMsg};
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

fn seed(text: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    if text.len() != 64 {
        fail("the seed must be 64 hex characters");
    }
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap_or_else(|_| fail("the seed is not hex"));
    }
    out
}

fn fail(message: &str) -> ! {
    println!("{{\"event\":\"error\",\"message\":{message:?}}}");
    exit(1)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (stream, seed_hex) = match args.get(1).map(String::as_str) {
        Some("listen") if args.len() == 3 => {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| fail(&e.to_string()));
            let port = listener.local_addr().map(|a| a.port()).unwrap_or_else(|e| fail(&e.to_string()));
            println!("{{\"event\":\"listening\",\"port\":{port}}}");
            let (stream, _) = listener.accept().unwrap_or_else(|e| fail(&e.to_string()));
            (stream, &args[2])
        }
        Some("dial") if args.len() == 4 => {
            let stream = TcpStream::connect(("127.0.0.1", args[2].parse::<u16>().unwrap_or_else(|_| fail("bad port"))))
                .unwrap_or_else(|e| fail(&e.to_string()));
            (stream, &args[3])
        }
        _ => fail("usage: rx-mconn-rust-peer listen <seed-hex> | dial <port> <seed-hex>"),
    };
    stream.set_nodelay(true).ok();
    let identity = IdentitySecret::from_bytes(&seed(seed_hex));
    let mut conn = SecretConnection::new(stream, &identity).unwrap_or_else(|e| fail(&format!("handshake: {e}")));
    let peer = conn.peer_public_key().ed25519().map(|k| hex(k.as_bytes())).unwrap_or_default();
    println!(
        "{{\"event\":\"handshake\",\"pubkey\":\"{}\",\"peer_pubkey\":\"{peer}\"}}",
        hex(identity.verifying_key().as_bytes())
    );
    let mut count = 0u64;
    loop {
        let echo: Echo = match conn.read_msg() {
            Ok(m) => m,
            Err(e) => {
                println!("{{\"event\":\"done\",\"echoed\":{count},\"ended\":{:?}}}", e.to_string());
                break;
            }
        };
        conn.write_msg(&echo).unwrap_or_else(|e| fail(&format!("write: {e}")));
        count += 1;
    }
}
