//! No secret value is ever written into `generated/`: a scan of every committed file for
//! anything shaped like a credential (PEM blocks, a password/token key with a literal
//! value, long high-entropy strings) finds nothing. The scanner is tested on planted
//! credentials first, so a scan that finds nothing is a scanner that works.

use std::fs;

use crate::common::root;

/// YAML keys that hold a credential when their value is a literal.
const CREDENTIAL_KEYS: [&str; 12] = [
    "password",
    "passwd",
    "pass",
    "token",
    "secret",
    "apikey",
    "api_key",
    "api-key",
    "auth_token",
    "client_secret",
    "private_key",
    "secretkey",
];

/// Bits of Shannon entropy per character above which a long token looks random.
const ENTROPY: f64 = 4.2;
/// How long a token must be to count as a possible key.
const MIN_LEN: usize = 32;

fn entropy(s: &str) -> f64 {
    let mut counts = [0usize; 256];
    for b in s.bytes() {
        counts[usize::from(b)] += 1;
    }
    #[allow(clippy::cast_precision_loss)]
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|c| **c > 0)
        .map(|c| {
            #[allow(clippy::cast_precision_loss)]
            let p = *c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// What in `text` looks like a credential: `(line, why)`.
fn findings(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.contains("-----BEGIN ") {
            out.push((n, "a PEM block".into()));
        }
        let trimmed = line.trim_start().trim_start_matches("- ");
        if let Some((key, value)) = trimmed.split_once(": ") {
            let key = key.trim_matches('"').to_ascii_lowercase();
            let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
            if CREDENTIAL_KEYS.contains(&key.as_str()) && !value.is_empty() && value != "null" {
                out.push((n, format!("`{key}` has the literal value {value:?}")));
            }
        }
        for token in line.split(|c: char| !(c.is_ascii_alphanumeric() || "+/=_-".contains(c))) {
            let hex_digest = token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit());
            // Generated keys mix digits into letters; flags and names (`--from-literal=X`)
            // don't.
            let digits = token.bytes().filter(u8::is_ascii_digit).count();
            let letters = token.bytes().filter(u8::is_ascii_alphabetic).count();
            if token.len() >= MIN_LEN
                && !hex_digest
                && digits >= 2
                && letters >= 8
                && entropy(token) > ENTROPY
            {
                out.push((
                    n,
                    format!("a random-looking string of {} characters", token.len()),
                ));
            }
        }
    }
    out
}

#[test]
fn the_scanner_finds_planted_credentials() {
    let planted = [
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        "  password: hunter2",
        "        - token: \"abc\"",
        "  RESTIC_PASSWORD: kP9vQ2xZ7mL4nR8tW1yB6cF3hJ5gD0sA",
        "apiKey: sk_live_51H8",
    ];
    for line in planted {
        assert!(!findings(line).is_empty(), "the scanner misses {line:?}");
    }
    // What portkey writes in place of secrets is not a credential.
    for line in [
        "  passwordKey: admin-password",
        "  --from-literal=RESTIC_REPOSITORY='...'",
        "      secretName: vaultwarden-tls",
        "            key: ADMIN_TOKEN",
        "    image: ghcr.io/x/y:1.0@sha256:3333333333333333333333333333333333333333333333333333333333333333",
        "  token: null",
    ] {
        assert!(
            findings(line).is_empty(),
            "false alarm on {line:?}: {:?}",
            findings(line)
        );
    }
}

#[test]
fn generated_holds_no_credential() {
    let dir = root().join("generated");
    let mut all = Vec::new();
    let mut files = 0;
    for entry in walkdir::WalkDir::new(&dir) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        files += 1;
        let text = fs::read_to_string(entry.path()).unwrap();
        let rel = entry
            .path()
            .strip_prefix(&dir)
            .unwrap()
            .display()
            .to_string();
        all.extend(
            findings(&text)
                .into_iter()
                .map(|(n, why)| format!("generated/{rel}:{n}: {why}")),
        );
    }
    assert!(files > 100, "only {files} files scanned");
    assert!(
        all.is_empty(),
        "credential-shaped content in generated/:\n{}",
        all.join("\n")
    );
}
