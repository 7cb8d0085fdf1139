//! The JSON scanner under the snapshot reader: it walks the document once, hands the meta
//! object and the strings over whole, and the big number arrays over as raw runs of digits,
//! without building a value tree.

use super::*;

/// Parses the digits at `buf[i..]`: the value, the index after the last digit, and whether the
/// value overflowed 64 bits. Eight bytes at a time where the buffer allows: snapshot numbers
/// are short, and this loop is where a large snapshot's reading time goes.
pub(super) fn scan_digits(buf: &[u8], mut i: usize) -> (u64, usize, bool) {
    let mut value: u64 = 0;
    if let Some(chunk) = buf.get(i..i + 8) {
        let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        // Digit values per byte; a byte that is no digit gets its high bit set in `stop`.
        let digits = word.wrapping_sub(0x3030_3030_3030_3030);
        let stop = (digits | digits.wrapping_add(0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080;
        let len = (stop.trailing_zeros() / 8) as usize;
        if len > 0 {
            // Left-pad to eight digits with zeros, then combine pairs, quads, octets.
            let padded = if len == 8 {
                digits
            } else {
                digits << (8 * (8 - len))
            };
            value = combine_eight_digits(padded);
            i += len;
            if len < 8 {
                return (value, i, false);
            }
        }
    }
    let mut overflow = false;
    while let Some(&b) = buf.get(i) {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        match value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(d)))
        {
            Some(v) => value = v,
            None => overflow = true,
        }
        i += 1;
    }
    (value, i, overflow)
}

/// Eight digit values, most significant in the lowest byte, as one number.
pub(super) fn combine_eight_digits(digits: u64) -> u64 {
    let pairs = digits.wrapping_mul(10).wrapping_add(digits >> 8);
    let mask = 0x0000_00FF_0000_00FF;
    let quads = (pairs & mask)
        .wrapping_mul(100 + (1_000_000 << 32))
        .wrapping_add(((pairs >> 16) & mask).wrapping_mul(1 + (10_000 << 32)));
    quads >> 32
}

/// Commas in `bytes`, sixteen or thirty-two at a time.
fn count_commas(bytes: &[u8]) -> u64 {
    bytecount::count(bytes, b',') as u64
}

/// The longest prefix of `run` (which ends after a comma) that ends a whole record, given
/// `before` values of the array before it: its length, false (not the array's last), and its
/// values. None when it holds no whole record.
fn whole_records(run: &[u8], before: u64, width: usize) -> Option<(usize, bool, u64)> {
    let commas = count_commas(run);
    let past = ((before + commas) % width as u64) as usize;
    let mut length = run.len();
    for _ in 0..past {
        length = memchr::memrchr(b',', &run[..length - 1])? + 1;
    }
    let values = commas - past as u64;
    (values > 0).then_some((length, false, values))
}

/// Hands `sink` the strings at the start of `bytes` (each followed by its `,`, or by the
/// array's `]`) that need no unescaping: how many bytes they took, and whether the `]` was
/// reached. Stops before anything else, for the careful path to read.
fn in_place_strings(bytes: &[u8], sink: &mut impl FnMut(&str)) -> (usize, bool) {
    let skip_ws = |mut i: usize| {
        while bytes
            .get(i)
            .is_some_and(|b| matches!(b, b' ' | b'\n' | b'\r' | b'\t'))
        {
            i += 1;
        }
        i
    };
    let mut taken = 0;
    loop {
        let start = skip_ws(taken);
        if bytes.get(start) != Some(&b'"') {
            return (taken, false);
        }
        let body = &bytes[start + 1..];
        let Some(quote) = memchr::memchr2(b'"', b'\\', body).filter(|&q| body[q] == b'"') else {
            return (taken, false);
        };
        let Ok(string) = std::str::from_utf8(&body[..quote]) else {
            return (taken, false);
        };
        let after = skip_ws(start + 1 + quote + 1);
        match bytes.get(after) {
            Some(b',') => {
                sink(string);
                taken = after + 1;
            }
            Some(b']') => {
                sink(string);
                return (after + 1, true);
            }
            _ => return (taken, false),
        }
    }
}

/// A forward-only JSON scanner over a reader, with byte offsets for errors.
pub(super) struct Scanner<R> {
    reader: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// Offset in the input of `buf[0]`.
    base: u64,
    eof: bool,
}

pub(super) const CHUNK: usize = 1 << 20;

impl<R: Read> Scanner<R> {
    pub(super) fn new(reader: R) -> Self {
        Scanner {
            reader,
            buf: vec![0; CHUNK],
            pos: 0,
            end: 0,
            base: 0,
            eof: false,
        }
    }

    pub(super) fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Makes at least one byte available unless the input is over.
    pub(super) fn fill(&mut self) -> Result<bool, FormatError> {
        if self.pos < self.end {
            return Ok(true);
        }
        if self.eof {
            return Ok(false);
        }
        self.base += self.end as u64;
        self.pos = 0;
        self.end = 0;
        loop {
            match self.reader.read(&mut self.buf) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end = n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(FormatError::at_byte(self.base, format!("read failed: {e}"))),
            }
        }
    }

    pub(super) fn peek(&mut self) -> Result<Option<u8>, FormatError> {
        Ok(if self.fill()? {
            Some(self.buf[self.pos])
        } else {
            None
        })
    }

    pub(super) fn next(&mut self) -> Result<Option<u8>, FormatError> {
        let b = self.peek()?;
        if b.is_some() {
            self.pos += 1;
        }
        Ok(b)
    }

    pub(super) fn unexpected(&self, found: Option<u8>, wanted: &str) -> FormatError {
        let at = self.offset().saturating_sub(u64::from(found.is_some()));
        match found {
            None => FormatError::at_byte(
                at,
                format!("the file ends where {wanted} should be (truncated?)"),
            ),
            Some(b) => FormatError::at_byte(
                at,
                format!(
                    "expected {wanted}, found `{}`",
                    (b as char).escape_default()
                ),
            ),
        }
    }

    pub(super) fn expect(&mut self, byte: u8) -> Result<(), FormatError> {
        match self.next()? {
            Some(b) if b == byte => Ok(()),
            other => Err(self.unexpected(other, &format!("`{}`", byte as char))),
        }
    }

    pub(super) fn skip_ws(&mut self) -> Result<(), FormatError> {
        while let Some(b) = self.peek()? {
            if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                self.pos += 1;
            } else {
                break;
            }
        }
        Ok(())
    }

    /// Splits a number array (from its `[` to its `]`) into runs of whole records of `width`
    /// numbers, each ending after a `,` except the last, and hands them to `emit` in order.
    ///
    /// A run is not copied: the buffer holding it goes with it, and reading goes on in a fresh
    /// one from `outbox`, which starts with the bytes after the run.
    pub(super) fn number_chunks(
        &mut self,
        width: usize,
        outbox: &mut Outbox,
        mut emit: impl FnMut(&mut Outbox, Chunk<Run>) -> Result<(), FormatError>,
    ) -> Result<(), FormatError> {
        self.expect(b'[')?;
        let mut first = true;
        let mut before = 0u64;
        loop {
            if self.pos == self.end && !self.refill_keeping_rest()? {
                return Err(FormatError::at_byte(
                    self.offset(),
                    "the file ends inside a number array (truncated?)",
                ));
            }
            let available = &self.buf[self.pos..self.end];
            let run = match memchr::memchr(b']', available) {
                Some(close) => {
                    let body = &available[..close];
                    let values = count_commas(body)
                        + u64::from(body.iter().any(|b| !b.is_ascii_whitespace()));
                    Some((close, true, values))
                }
                None => memchr::memrchr(b',', available)
                    .and_then(|comma| whole_records(&available[..=comma], before, width)),
            };
            let Some((length, last, values)) = run else {
                // Not one whole record yet: read on, unless the buffer is full of it.
                if self.pos == 0 && self.end == self.buf.len() {
                    return Err(FormatError::at_byte(
                        self.offset(),
                        "expected numbers separated by `,` in a number array",
                    ));
                }
                if !self.refill_keeping_rest()? {
                    return Err(FormatError::at_byte(
                        self.offset(),
                        "the file ends inside a number array (truncated?)",
                    ));
                }
                continue;
            };
            let base = self.offset();
            let bytes = self.hand_over(length, outbox.buffer()?);
            let chunk = Chunk {
                bytes,
                base,
                first,
                last,
                values,
                first_value: before,
            };
            emit(outbox, chunk)?;
            self.pos += usize::from(last);
            first = false;
            before += values;
            if last {
                return Ok(());
            }
        }
    }

    /// The next `length` bytes as a run, in the buffer that holds them; `fresh` takes its
    /// place, starting with the unread bytes after the run.
    fn hand_over(&mut self, length: usize, mut fresh: Vec<u8>) -> Run {
        let start = self.pos;
        let stop = start + length;
        let rest = self.end - stop;
        fresh.resize(self.buf.len(), 0);
        fresh[..rest].copy_from_slice(&self.buf[stop..self.end]);
        let buffer = std::mem::replace(&mut self.buf, fresh);
        self.base += stop as u64;
        self.pos = 0;
        self.end = rest;
        Run {
            buffer,
            range: start..stop,
        }
    }

    /// Moves unread bytes to the front of the buffer and reads more after them. False when
    /// nothing more could be read.
    pub(super) fn refill_keeping_rest(&mut self) -> Result<bool, FormatError> {
        if self.eof {
            return Ok(false);
        }
        let rest = self.end - self.pos;
        self.buf.copy_within(self.pos..self.end, 0);
        self.base += self.pos as u64;
        self.pos = 0;
        self.end = rest;
        loop {
            match self.reader.read(&mut self.buf[rest..]) {
                Ok(0) => {
                    self.eof = true;
                    // The kept bytes get one more look, now that the input is known to end.
                    return Ok(rest > 0);
                }
                Ok(n) => {
                    self.end = rest + n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(FormatError::at_byte(self.base, format!("read failed: {e}"))),
            }
        }
    }

    /// An array of strings, each handed to `sink`.
    pub(super) fn string_array(&mut self, mut sink: impl FnMut(&str)) -> Result<(), FormatError> {
        self.expect(b'[')?;
        self.skip_ws()?;
        if self.peek()? == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        let mut text = String::new();
        loop {
            // Most strings have no escape and lie whole in the buffer: they are handed over in
            // place, as many as the buffer holds, without a call per byte.
            let (taken, ended) = in_place_strings(&self.buf[self.pos..self.end], &mut sink);
            self.pos += taken;
            if ended {
                return Ok(());
            }
            // One string the fast path could not take (escaped, or cut by the buffer's end).
            self.skip_ws()?;
            text.clear();
            self.string_into(&mut text)?;
            sink(&text);
            self.skip_ws()?;
            match self.next()? {
                Some(b',') => continue,
                Some(b']') => return Ok(()),
                other => return Err(self.unexpected(other, "`,` or `]` in the strings array")),
            }
        }
    }

    pub(super) fn string(&mut self) -> Result<String, FormatError> {
        let mut text = String::new();
        self.string_into(&mut text)?;
        Ok(text)
    }

    /// A JSON string. V8 writes lone surrogates as `\uD8xx`; they become U+FFFD.
    pub(super) fn string_into(&mut self, out: &mut String) -> Result<(), FormatError> {
        let start = self.offset();
        self.expect(b'"')?;
        let mut bytes: Vec<u8> = Vec::new();
        let mut pending_high: Option<u16> = None;
        loop {
            if !self.fill()? {
                return Err(FormatError::at_byte(
                    start,
                    "the file ends inside a string (truncated?)",
                ));
            }
            let chunk = &self.buf[self.pos..self.end];
            match memchr::memchr2(b'"', b'\\', chunk) {
                None => {
                    if pending_high.take().is_some() {
                        bytes.extend_from_slice("\u{FFFD}".as_bytes());
                    }
                    bytes.extend_from_slice(chunk);
                    self.pos = self.end;
                }
                Some(i) => {
                    if i > 0 {
                        if pending_high.take().is_some() {
                            bytes.extend_from_slice("\u{FFFD}".as_bytes());
                        }
                        bytes.extend_from_slice(&chunk[..i]);
                    }
                    let quote = chunk[i] == b'"';
                    self.pos += i + 1;
                    if quote {
                        if pending_high.is_some() {
                            bytes.extend_from_slice("\u{FFFD}".as_bytes());
                        }
                        out.push_str(&String::from_utf8_lossy(&bytes));
                        return Ok(());
                    }
                    let at = self.offset() - 1;
                    let escaped = self.next()?.ok_or_else(|| {
                        FormatError::at_byte(at, "the file ends inside a string escape")
                    })?;
                    let simple = match escaped {
                        b'"' => Some(b'"'),
                        b'\\' => Some(b'\\'),
                        b'/' => Some(b'/'),
                        b'b' => Some(8),
                        b'f' => Some(12),
                        b'n' => Some(b'\n'),
                        b'r' => Some(b'\r'),
                        b't' => Some(b'\t'),
                        b'u' => None,
                        other => {
                            return Err(FormatError::at_byte(
                                at,
                                format!(
                                    "invalid string escape `\\{}`",
                                    (other as char).escape_default()
                                ),
                            ))
                        }
                    };
                    if let Some(b) = simple {
                        if pending_high.take().is_some() {
                            bytes.extend_from_slice("\u{FFFD}".as_bytes());
                        }
                        bytes.push(b);
                        continue;
                    }
                    let mut unit: u16 = 0;
                    for _ in 0..4 {
                        let h = self
                            .next()?
                            .and_then(|b| (b as char).to_digit(16))
                            .ok_or_else(|| FormatError::at_byte(at, "invalid `\\u` escape"))?;
                        unit = unit * 16 + h as u16;
                    }
                    let push_char = |c: char, bytes: &mut Vec<u8>| {
                        let mut b = [0u8; 4];
                        bytes.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
                    };
                    match (pending_high.take(), unit) {
                        (Some(high), 0xDC00..=0xDFFF) => {
                            let c = 0x10000
                                + ((u32::from(high) - 0xD800) << 10)
                                + (u32::from(unit) - 0xDC00);
                            push_char(char::from_u32(c).unwrap_or('\u{FFFD}'), &mut bytes);
                        }
                        (previous, 0xD800..=0xDBFF) => {
                            if previous.is_some() {
                                push_char('\u{FFFD}', &mut bytes);
                            }
                            pending_high = Some(unit);
                        }
                        (previous, _) => {
                            if previous.is_some() {
                                push_char('\u{FFFD}', &mut bytes);
                            }
                            push_char(
                                char::from_u32(u32::from(unit)).unwrap_or('\u{FFFD}'),
                                &mut bytes,
                            );
                        }
                    }
                }
            }
        }
    }

    /// Skips one JSON value of any kind; depth is bounded so a deeply nested input cannot
    /// exhaust the stack (there is no recursion).
    pub(super) fn skip_value(&mut self) -> Result<(), FormatError> {
        let mut depth: u64 = 0;
        loop {
            self.skip_ws()?;
            match self.peek()? {
                None => return Err(self.unexpected(None, "a value")),
                Some(b'"') => {
                    let mut sink = String::new();
                    self.string_into(&mut sink)?;
                }
                Some(b'[' | b'{') => {
                    self.pos += 1;
                    depth += 1;
                    continue;
                }
                Some(b']' | b'}') if depth > 0 => {
                    self.pos += 1;
                    depth -= 1;
                }
                Some(b',' | b':') if depth > 0 => {
                    self.pos += 1;
                    continue;
                }
                Some(_) => {
                    // A number, true, false or null.
                    while let Some(b) = self.peek()? {
                        if matches!(b, b',' | b']' | b'}' | b' ' | b'\n' | b'\r' | b'\t' | b':') {
                            break;
                        }
                        self.pos += 1;
                    }
                }
            }
            if depth == 0 {
                return Ok(());
            }
        }
    }

    /// The bytes of one value (used for the small `snapshot` meta object).
    pub(super) fn raw_value(&mut self) -> Result<Vec<u8>, FormatError> {
        const LIMIT: usize = 1 << 20;
        let start = self.offset();
        let mut out = Vec::new();
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        loop {
            let b = self.next()?.ok_or_else(|| {
                FormatError::at_byte(start, "the file ends inside the snapshot meta")
            })?;
            out.push(b);
            if out.len() > LIMIT {
                return Err(FormatError::at_byte(
                    start,
                    "the snapshot meta is larger than 1 MiB",
                ));
            }
            if in_string {
                match (escaped, b) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Ok(out);
                    }
                }
                _ if depth == 0 && !b.is_ascii_whitespace() => {
                    return Err(FormatError::at_byte(
                        start,
                        "the snapshot meta is not an object",
                    ))
                }
                _ => {}
            }
        }
    }
}
