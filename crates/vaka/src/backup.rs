//! The backup file: a header line, then the snapshot's rows as JSON lines, gzip-compressed and, when
//! a passphrase is given, encrypted.
//!
//! ```text
//! VAKA-BACKUP 1\n
//! {"format":1,"backend":"sqlite","schema_version":9,"created_at":"…","encryption":null|{…}}\n
//! payload
//! ```
//! The payload is gzip of lines `["table",{row}]` ending with `["end",{"rows":{table:count}}]`, so
//! a cut-off file is refused. Encrypted, the gzip stream is cut into 64 KiB chunks, each sealed with
//! ChaCha20-Poly1305 under a key derived from the passphrase by Argon2id; chunk nonces are a random
//! prefix, the chunk's number and a last-chunk flag (the STREAM construction), and every chunk
//! authenticates the header line, so chunks cannot be reordered, dropped, cut or moved between files.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};

use anyhow::{Context, bail};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use serde_json::{Value, json};
use vaka_store::Store;
use vaka_store::backup::Counts;

const MAGIC: &str = "VAKA-BACKUP 1";
const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;
/// Argon2id cost: 64 MiB, 3 passes — about a second on a small server, once per backup.
const KDF_M_KIB: u32 = 64 * 1024;
const KDF_T: u32 = 3;

fn random<const N: usize>() -> anyhow::Result<[u8; N]> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(b)
}

fn derive_key(passphrase: &str, salt: &[u8], m_kib: u32, t: u32) -> anyhow::Result<[u8; 32]> {
    if passphrase.chars().count() < 12 {
        bail!("the backup passphrase must be at least 12 characters");
    }
    let params = argon2::Params::new(m_kib, t, 1, Some(32))
        .map_err(|e| anyhow::anyhow!("key derivation parameters: {e}"))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut key = [0u8; 32];
    argon
        .hash_password_into(passphrase.as_bytes(), salt, &mut key)
        .map_err(|e| anyhow::anyhow!("key derivation: {e}"))?;
    Ok(key)
}

fn nonce(prefix: &[u8; 7], counter: u32, last: bool) -> Nonce {
    let mut n = [0u8; 12];
    n[..7].copy_from_slice(prefix);
    n[7..11].copy_from_slice(&counter.to_be_bytes());
    n[11] = u8::from(last);
    Nonce::from(n)
}

/// Seals what is written to it in chunks; `finish` seals the last one.
struct SealWriter<W: Write> {
    out: W,
    cipher: ChaCha20Poly1305,
    prefix: [u8; 7],
    aad: Vec<u8>,
    counter: u32,
    buf: Vec<u8>,
}

impl<W: Write> SealWriter<W> {
    fn seal(&mut self, last: bool) -> std::io::Result<()> {
        let take = self.buf.len().min(CHUNK);
        let chunk: Vec<u8> = self.buf.drain(..take).collect();
        let sealed = self
            .cipher
            .encrypt(
                &nonce(&self.prefix, self.counter, last),
                Payload {
                    msg: &chunk,
                    aad: &self.aad,
                },
            )
            .map_err(|_| std::io::Error::other("encryption failed"))?;
        self.counter = self
            .counter
            .checked_add(1)
            .ok_or_else(|| std::io::Error::other("backup too large"))?;
        self.out.write_all(&sealed)
    }

    fn finish(mut self) -> std::io::Result<W> {
        while self.buf.len() > CHUNK {
            self.seal(false)?;
        }
        self.seal(true)?;
        Ok(self.out)
    }
}

impl<W: Write> Write for SealWriter<W> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        // Keep one full chunk back: only `finish` knows which chunk is the last.
        while self.buf.len() > CHUNK {
            self.seal(false)?;
        }
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Opens sealed chunks as they are read.
struct OpenReader<R: BufRead> {
    inner: R,
    cipher: ChaCha20Poly1305,
    prefix: [u8; 7],
    aad: Vec<u8>,
    counter: u32,
    plain: Vec<u8>,
    pos: usize,
    done: bool,
}

impl<R: BufRead> OpenReader<R> {
    fn next_chunk(&mut self) -> std::io::Result<()> {
        let mut sealed = Vec::with_capacity(CHUNK + TAG);
        (&mut self.inner)
            .take((CHUNK + TAG) as u64)
            .read_to_end(&mut sealed)?;
        // The last chunk is the one nothing follows.
        let last = self.inner.fill_buf()?.is_empty();
        self.plain = self
            .cipher
            .decrypt(
                &nonce(&self.prefix, self.counter, last),
                Payload {
                    msg: &sealed,
                    aad: &self.aad,
                },
            )
            .map_err(|_| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "wrong passphrase, or the file was changed or cut off",
                )
            })?;
        self.pos = 0;
        self.counter = self.counter.wrapping_add(1);
        self.done = last;
        Ok(())
    }
}

impl<R: BufRead> Read for OpenReader<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.plain.len() {
            if self.done {
                return Ok(0);
            }
            self.next_chunk()?;
        }
        let n = out.len().min(self.plain.len() - self.pos);
        out[..n].copy_from_slice(&self.plain[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// What a backup wrote.
pub struct Written {
    pub counts: Counts,
    pub encrypted: bool,
}

/// Writes a consistent snapshot of `store` to `out`.
pub async fn write(
    store: &Store,
    out: impl Write,
    passphrase: Option<&str>,
) -> anyhow::Result<Written> {
    let schema_version = vaka_store::backup::schema_version(store).await?;
    let backend = match store.backend() {
        vaka_store::BackendKind::Sqlite => "sqlite",
        vaka_store::BackendKind::Postgres => "postgres",
    };
    let mut header = json!({
        "format": 1,
        "vaka": env!("CARGO_PKG_VERSION"),
        "backend": backend,
        "schema_version": schema_version,
        "created_at": chrono::Utc::now().to_rfc3339(),
        "compression": "gzip",
        "encryption": null,
    });
    let mut key = None;
    if let Some(p) = passphrase {
        let salt: [u8; 16] = random()?;
        let prefix: [u8; 7] = random()?;
        header["encryption"] = json!({
            "cipher": "chacha20poly1305-stream",
            "kdf": "argon2id",
            "m_kib": KDF_M_KIB,
            "t": KDF_T,
            "p": 1,
            "salt": hex::encode(salt),
            "nonce_prefix": hex::encode(prefix),
        });
        key = Some((derive_key(p, &salt, KDF_M_KIB, KDF_T)?, prefix));
    }
    let header_line = format!("{MAGIC}\n{header}\n");
    let mut out = std::io::BufWriter::new(out);
    out.write_all(header_line.as_bytes())?;
    let sink = match key {
        Some((k, prefix)) => Sink::Sealed(SealWriter {
            out,
            cipher: ChaCha20Poly1305::new(&k.into()),
            prefix,
            aad: header_line.into_bytes(),
            counter: 0,
            buf: Vec::new(),
        }),
        None => Sink::Plain(out),
    };
    let mut gz = flate2::write::GzEncoder::new(sink, flate2::Compression::fast());
    let counts = vaka_store::backup::dump(store, |table, row| {
        gz.write_all(b"[\"")?;
        gz.write_all(table.as_bytes())?;
        gz.write_all(b"\",")?;
        gz.write_all(row.as_bytes())?;
        gz.write_all(b"]\n")
    })
    .await?;
    let end = json!(["end", {"rows": counts.0}]);
    gz.write_all(format!("{end}\n").as_bytes())?;
    let mut out = gz.finish()?.finish()?;
    out.flush()?;
    Ok(Written {
        counts,
        encrypted: passphrase.is_some(),
    })
}

enum Sink<W: Write> {
    Plain(W),
    Sealed(SealWriter<W>),
}

impl<W: Write> Sink<W> {
    fn finish(self) -> std::io::Result<W> {
        match self {
            Sink::Plain(w) => Ok(w),
            Sink::Sealed(s) => s.finish(),
        }
    }
}

impl<W: Write> Write for Sink<W> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Plain(w) => w.write(data),
            Sink::Sealed(s) => s.write(data),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Plain(w) => w.flush(),
            Sink::Sealed(s) => s.flush(),
        }
    }
}

/// A backup's header.
#[derive(Debug, Clone)]
pub struct Header {
    pub backend: String,
    pub schema_version: i64,
    pub created_at: String,
    pub encrypted: bool,
}

/// Reads a backup into `store` (a new, empty database): builds the schema the backup was taken
/// with, loads every row in one transaction, checks counts and the access log, then migrates forward.
pub async fn restore(
    store: &Store,
    input: impl Read,
    passphrase: Option<&str>,
) -> anyhow::Result<(Header, Counts)> {
    let mut input = BufReader::new(input);
    let mut magic = String::new();
    input.read_line(&mut magic)?;
    if magic.trim_end() != MAGIC {
        bail!("not a Vaka backup (the first line is not {MAGIC:?})");
    }
    let mut header_json = String::new();
    input.read_line(&mut header_json)?;
    let h: Value = serde_json::from_str(&header_json).context("the backup's header")?;
    let header = Header {
        backend: h["backend"].as_str().unwrap_or_default().to_owned(),
        schema_version: h["schema_version"].as_i64().unwrap_or(0),
        created_at: h["created_at"].as_str().unwrap_or_default().to_owned(),
        encrypted: !h["encryption"].is_null(),
    };
    let here = match store.backend() {
        vaka_store::BackendKind::Sqlite => "sqlite",
        vaka_store::BackendKind::Postgres => "postgres",
    };
    if header.backend != here {
        bail!(
            "the backup is of a {} database; restore it into {0} (this is {here})",
            header.backend
        );
    }
    let aad = format!("{}{}", magic, header_json).into_bytes();
    let payload: Box<dyn Read> = if header.encrypted {
        let e = &h["encryption"];
        let Some(p) = passphrase else {
            bail!(
                "the backup is encrypted: give the passphrase (--passphrase-file or VAKA_BACKUP_PASSPHRASE)"
            );
        };
        let salt = hex::decode(e["salt"].as_str().unwrap_or_default())?;
        let prefix: [u8; 7] = hex::decode(e["nonce_prefix"].as_str().unwrap_or_default())?
            .try_into()
            .map_err(|_| anyhow::anyhow!("the backup's header has a bad nonce prefix"))?;
        let m = u32::try_from(e["m_kib"].as_u64().unwrap_or(0)).unwrap_or(0);
        let t = u32::try_from(e["t"].as_u64().unwrap_or(0)).unwrap_or(0);
        let key = derive_key(p, &salt, m, t)?;
        Box::new(OpenReader {
            inner: input,
            cipher: ChaCha20Poly1305::new(&key.into()),
            prefix,
            aad,
            counter: 0,
            plain: Vec::new(),
            pos: 0,
            done: false,
        })
    } else {
        Box::new(input)
    };
    let lines = BufReader::new(flate2::read::GzDecoder::new(payload)).lines();
    store.migrate_to(header.schema_version).await?;
    let mut loader = vaka_store::backup::Loader::start(store).await?;
    let mut expected = None;
    for (n, line) in lines.enumerate() {
        let line = line.with_context(|| format!("reading the backup at row {}", n + 1))?;
        let (table, row): (String, Value) = serde_json::from_str(&line)
            .with_context(|| format!("the backup's row {} is not [table, row]", n + 1))?;
        if table == "end" {
            let rows: BTreeMap<String, u64> = serde_json::from_value(row["rows"].clone())?;
            expected = Some(Counts(rows));
            break;
        }
        loader.row(&table, row).await?;
    }
    let Some(expected) = expected else {
        bail!("the backup is cut off (no end record): nothing was restored");
    };
    let counts = loader.finish(&expected).await?;
    store.migrate().await?;
    Ok((header, counts))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seal(data: &[u8], key: &[u8; 32]) -> Vec<u8> {
        let mut w = SealWriter {
            out: Vec::new(),
            cipher: ChaCha20Poly1305::new(&(*key).into()),
            prefix: [7; 7],
            aad: b"header".to_vec(),
            counter: 0,
            buf: Vec::new(),
        };
        // In uneven pieces, as gzip writes.
        for piece in data.chunks(10_007) {
            w.write_all(piece).unwrap();
        }
        w.finish().unwrap()
    }

    fn open(sealed: &[u8], key: &[u8; 32], aad: &[u8]) -> std::io::Result<Vec<u8>> {
        let mut r = OpenReader {
            inner: BufReader::new(sealed),
            cipher: ChaCha20Poly1305::new(&(*key).into()),
            prefix: [7; 7],
            aad: aad.to_vec(),
            counter: 0,
            plain: Vec::new(),
            pos: 0,
            done: false,
        };
        let mut out = Vec::new();
        r.read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn sealed_chunks_open_to_the_same_bytes_at_every_boundary() {
        let key = [3u8; 32];
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 5] {
            let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let sealed = seal(&data, &key);
            assert_eq!(sealed.len(), len + TAG * len.div_ceil(CHUNK).max(1));
            assert_eq!(open(&sealed, &key, b"header").unwrap(), data, "{len}");
        }
    }

    #[test]
    fn a_dropped_last_chunk_a_changed_header_or_key_is_refused() {
        let key = [3u8; 32];
        let data = vec![1u8; 2 * CHUNK + 10];
        let sealed = seal(&data, &key);
        // Cut at a chunk boundary: the chunk now last was sealed as "not last".
        assert!(open(&sealed[..2 * (CHUNK + TAG)], &key, b"header").is_err());
        assert!(open(&sealed[..CHUNK + TAG], &key, b"header").is_err());
        assert!(open(&sealed, &key, b"headex").is_err());
        assert!(open(&sealed, &[4u8; 32], b"header").is_err());
        // Two chunks swapped.
        let mut swapped = sealed[CHUNK + TAG..2 * (CHUNK + TAG)].to_vec();
        swapped.extend_from_slice(&sealed[..CHUNK + TAG]);
        swapped.extend_from_slice(&sealed[2 * (CHUNK + TAG)..]);
        assert!(open(&swapped, &key, b"header").is_err());
    }

    #[test]
    fn a_short_passphrase_is_refused() {
        let err = derive_key("kort", &[0; 16], 64, 1).unwrap_err().to_string();
        assert!(err.contains("12 characters"));
    }
}
