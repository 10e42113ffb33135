//! The DATA reader's fast path (`DataReader::feed` scanning many lines at once) against its
//! byte-at-a-time state machine: fed one octet per call, the reader never takes the fast path,
//! so the two must agree on everything (content, consumed octets, end of data, summary) for
//! any input and any chunking. Inputs are built from the octets that matter (CR, LF, dot,
//! 8-bit) with long runs so that 1000-octet lines occur.

use proptest::prelude::*;
use smtp_sim::smtp::data::{DataReader, DataSummary};

fn read(input: &[u8], cuts: &[usize]) -> (Vec<u8>, usize, bool, DataSummary) {
    let mut r = DataReader::new(1 << 20);
    let mut out = Vec::new();
    let (mut consumed, mut at) = (0, 0);
    let mut bounds: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    bounds.push(input.len());
    bounds.sort_unstable();
    for b in bounds {
        if b <= at {
            continue;
        }
        let fed = r.feed(&input[at..b], &mut out);
        consumed += fed.consumed;
        at = b;
        if fed.done {
            break;
        }
    }
    (out, consumed, r.is_done(), r.summary().clone())
}

fn bytewise(input: &[u8]) -> (Vec<u8>, usize, bool, DataSummary) {
    let cuts: Vec<usize> = (1..input.len()).collect();
    read(input, &cuts)
}

fn piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => Just(b"\r\n".to_vec()),
        2 => Just(b"\r\n.".to_vec()),
        1 => Just(b"\r\n.\r\n".to_vec()),
        1 => Just(b"\r".to_vec()),
        1 => Just(b"\n".to_vec()),
        1 => Just(b".".to_vec()),
        1 => Just("é".as_bytes().to_vec()),
        8 => "[a-z ]{1,40}".prop_map(String::into_bytes),
        1 => (1usize..1200).prop_map(|n| vec![b'x'; n]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn fast_path_agrees_with_the_state_machine(
        pieces in prop::collection::vec(piece(), 0..60),
        cuts in prop::collection::vec(0usize..100_000, 0..6),
    ) {
        let input: Vec<u8> = pieces.concat();
        let expected = bytewise(&input);
        prop_assert_eq!(&read(&input, &[]), &expected);
        prop_assert_eq!(&read(&input, &cuts), &expected);
    }
}

#[test]
fn regression_examples() {
    for input in [
        &b"ab\r\ncd\rx\r\nef\r\n.\r\n"[..],
        b"ab\r\ncd\r\r\n.\r\n",
        b"\r\n\r\n..x\r\n.\r\n",
        b"a\nb\r\nc\r\n.\r\n",
        b"abc\r\n",
        b"abc\r",
        b"\xc3\xa9\r\n.\r\n",
    ] {
        assert_eq!(read(input, &[]), bytewise(input), "{:?}", String::from_utf8_lossy(input));
    }
}
