//! The two collectives the decomposition needs, over any transport: MPI
//! ranks ([`crate::MpiComm`], with the `mpi` feature), threads of one
//! process ([`run_threads`], for tests and for machines without MPI), or a
//! single process ([`Single`]).

use std::sync::{Arc, Barrier, Mutex};

/// A group of ranks that exchange bytes collectively. Every rank calls each
/// collective in the same order.
pub trait Comm {
    /// This rank, `0..size`.
    fn rank(&self) -> usize;
    /// The number of ranks.
    fn size(&self) -> usize;
    /// `out[r]` goes to rank `r` (`out.len() == size`); returns what each
    /// rank sent to this one, in rank order.
    fn all_to_all(&self, out: Vec<Vec<u8>>) -> Vec<Vec<u8>>;
    /// Every rank's `mine`, in rank order.
    fn all_gather(&self, mine: &[u8]) -> Vec<Vec<u8>> {
        self.all_to_all(vec![mine.to_vec(); self.size()])
    }
}

/// One process alone.
#[derive(Clone, Copy, Debug, Default)]
pub struct Single;

impl Comm for Single {
    fn rank(&self) -> usize {
        0
    }
    fn size(&self) -> usize {
        1
    }
    fn all_to_all(&self, out: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
        out
    }
}

/// One of `size` threads of this process acting as ranks ([`run_threads`]).
pub struct ThreadComm {
    rank: usize,
    shared: Arc<Mailboxes>,
}

struct Mailboxes {
    size: usize,
    barrier: Barrier,
    /// `boxes[to][from]`.
    boxes: Mutex<Vec<Vec<Vec<u8>>>>,
}

impl Comm for ThreadComm {
    fn rank(&self) -> usize {
        self.rank
    }
    fn size(&self) -> usize {
        self.shared.size
    }
    fn all_to_all(&self, out: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
        let s = &self.shared;
        assert_eq!(out.len(), s.size, "all_to_all needs one message per rank");
        {
            let mut boxes = s.boxes.lock().unwrap_or_else(|e| e.into_inner());
            for (to, msg) in out.into_iter().enumerate() {
                boxes[to][self.rank] = msg;
            }
        }
        s.barrier.wait();
        let mine = {
            let mut boxes = s.boxes.lock().unwrap_or_else(|e| e.into_inner());
            std::mem::replace(&mut boxes[self.rank], vec![Vec::new(); s.size])
        };
        // Nobody writes the next round's messages before everyone has
        // taken this round's.
        s.barrier.wait();
        mine
    }
}

/// Runs `f` on `size` threads, each a rank of one [`ThreadComm`], and
/// returns their results in rank order. Each rank's work still uses the
/// shared rayon pool: results do not depend on it.
///
/// # Panics
/// If a rank panics (after the others have finished or blocked; a test
/// harness reports it).
pub fn run_threads<R: Send>(size: usize, f: impl Fn(&ThreadComm) -> R + Sync) -> Vec<R> {
    let size = size.max(1);
    let shared = Arc::new(Mailboxes {
        size,
        barrier: Barrier::new(size),
        boxes: Mutex::new(vec![vec![Vec::new(); size]; size]),
    });
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..size)
            .map(|rank| {
                let comm = ThreadComm {
                    rank,
                    shared: Arc::clone(&shared),
                };
                let f = &f;
                scope.spawn(move || f(&comm))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// What one rank's step came to, as every rank learns it from [`agree`].
#[derive(Debug)]
pub enum Outcome<T> {
    /// Every rank succeeded: this rank's value.
    Done(T),
    /// No rank failed for good, and at least one asked to try again (a
    /// ghost skin too thin, say).
    Retry,
}

/// Every rank's result of one step, made collective: each rank returns
/// `Err` when any rank failed (the first failing rank's message, naming it
/// when there are several ranks), [`Outcome::Retry`] when any rank asked
/// for one and none failed, else its own value. Without this a rank that
/// fails alone would leave the others waiting in the next collective.
///
/// # Errors
/// Some rank's `Err`.
pub fn agree<T>(comm: &dyn Comm, mine: anyhow::Result<Outcome<T>>) -> anyhow::Result<Outcome<T>> {
    let status: Vec<u8> = match &mine {
        Ok(Outcome::Done(_)) => vec![0],
        Ok(Outcome::Retry) => vec![1],
        Err(e) => {
            let mut v = vec![2];
            v.extend_from_slice(format!("{e:#}").as_bytes());
            v
        }
    };
    let all = comm.all_gather(&status);
    if let Some((r, s)) = all.iter().enumerate().find(|(_, s)| s.first() == Some(&2)) {
        return match mine {
            Err(e) if r == comm.rank() => Err(e),
            _ => {
                let msg = String::from_utf8_lossy(&s[1..]);
                if comm.size() > 1 {
                    Err(anyhow::anyhow!("{msg} (rank {r} of {})", comm.size()))
                } else {
                    Err(anyhow::anyhow!("{msg}"))
                }
            }
        };
    }
    if all.iter().any(|s| s.first() == Some(&1)) {
        return Ok(Outcome::Retry);
    }
    mine
}

/// [`agree`] for a step that cannot ask to retry.
///
/// # Errors
/// Some rank's `Err`.
pub fn agree_done<T>(comm: &dyn Comm, mine: anyhow::Result<T>) -> anyhow::Result<T> {
    match agree(comm, mine.map(Outcome::Done))? {
        Outcome::Done(v) => Ok(v),
        Outcome::Retry => unreachable!("no rank asks to retry a step that cannot"),
    }
}

/// Every rank's `x`, in rank order.
pub fn gather_u64(comm: &dyn Comm, x: u64) -> Vec<u64> {
    comm.all_gather(&x.to_le_bytes())
        .iter()
        .map(|b| u64::from_le_bytes(b[..8].try_into().expect("8 bytes from every rank")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_exchange_like_ranks() {
        let out = run_threads(3, |c| {
            let msgs: Vec<Vec<u8>> = (0..3).map(|to| vec![c.rank() as u8, to as u8]).collect();
            let got = c.all_to_all(msgs);
            let again = c.all_gather(&[10 + c.rank() as u8]);
            (got, again, gather_u64(c, 7 * c.rank() as u64))
        });
        for (r, (got, again, g)) in out.iter().enumerate() {
            assert_eq!(
                got,
                &(0..3).map(|f| vec![f as u8, r as u8]).collect::<Vec<_>>()
            );
            assert_eq!(again, &vec![vec![10], vec![11], vec![12]]);
            assert_eq!(g, &vec![0, 7, 14]);
        }
    }

    #[test]
    fn agree_spreads_a_failure_or_a_retry_to_every_rank() {
        let out = run_threads(3, |c| {
            let mine = match c.rank() {
                1 => Err(anyhow::anyhow!("glass.dump:12: bad line")),
                2 => Ok(Outcome::Retry),
                _ => Ok(Outcome::Done(5)),
            };
            let failed = agree(c, mine).map(|_| ()).unwrap_err().to_string();
            let retry = agree(
                c,
                Ok(if c.rank() == 2 {
                    Outcome::Retry
                } else {
                    Outcome::Done(1)
                }),
            );
            (failed, matches!(retry, Ok(Outcome::Retry)))
        });
        assert_eq!(out[1].0, "glass.dump:12: bad line");
        assert_eq!(out[0].0, "glass.dump:12: bad line (rank 1 of 3)");
        assert_eq!(out[2].0, out[0].0);
        assert!(out.iter().all(|o| o.1));
        let one = agree(&Single, Ok(Outcome::Done(3))).unwrap();
        assert!(matches!(one, Outcome::Done(3)));
    }
}
