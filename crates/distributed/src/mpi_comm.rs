//! [`Comm`] over MPI (rsmpi): the world communicator of `mpirun`.

use mpi::datatype::{Partition, PartitionMut};
use mpi::topology::SimpleCommunicator;
use mpi::traits::{Communicator, CommunicatorCollectives};

use crate::comm::Comm;

/// Most bytes one rank sends another in one round of an all-to-all (MPI
/// counts are 32-bit): larger messages go in several rounds.
const ROUND: usize = 1 << 30;

/// The ranks of `mpirun`: MPI is initialised by [`MpiComm::init`] and
/// finalised when the value is dropped.
pub struct MpiComm {
    world: SimpleCommunicator,
    _universe: mpi::environment::Universe,
}

impl MpiComm {
    /// Initialises MPI; `None` if it already was.
    pub fn init() -> Option<MpiComm> {
        let universe = mpi::initialize()?;
        Some(MpiComm {
            world: universe.world(),
            _universe: universe,
        })
    }
}

impl Comm for MpiComm {
    fn rank(&self) -> usize {
        self.world.rank() as usize
    }

    fn size(&self) -> usize {
        self.world.size() as usize
    }

    fn all_to_all(&self, out: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
        let p = self.size();
        assert_eq!(out.len(), p, "all_to_all needs one message per rank");
        // Sizes first, then as many rounds as the largest message needs.
        let sizes: Vec<u64> = out.iter().map(|m| m.len() as u64).collect();
        let mut incoming = vec![0u64; p];
        self.world.all_to_all_into(&sizes[..], &mut incoming[..]);
        let mut longest = [sizes.iter().chain(&incoming).copied().max().unwrap_or(0)];
        let mut all_longest = vec![0u64; p];
        self.world
            .all_gather_into(&longest[..], &mut all_longest[..]);
        longest[0] = all_longest.into_iter().max().unwrap_or(0);
        let rounds = (longest[0] as usize).div_ceil(ROUND).max(1);
        let mut got: Vec<Vec<u8>> = incoming
            .iter()
            .map(|&n| Vec::with_capacity(n as usize))
            .collect();
        for round in 0..rounds {
            let piece = |len: usize| {
                let a = (round * ROUND).min(len);
                a..((round + 1) * ROUND).min(len)
            };
            let send_counts: Vec<i32> = out.iter().map(|m| piece(m.len()).len() as i32).collect();
            let recv_counts: Vec<i32> = incoming
                .iter()
                .map(|&n| piece(n as usize).len() as i32)
                .collect();
            let displs = |c: &[i32]| -> Vec<i32> {
                c.iter()
                    .scan(0i64, |acc, &x| {
                        let d = *acc;
                        *acc += i64::from(x);
                        Some(d as i32)
                    })
                    .collect()
            };
            // Both buffers hold one byte more than the counts say: an empty
            // Vec's pointer is the dangling address 1, which OpenMPI reads
            // as MPI_IN_PLACE ((void *) 1) and then sends from the receive
            // buffer (found by a rank that sends nothing).
            let mut send: Vec<u8> = out
                .iter()
                .flat_map(|m| m[piece(m.len())].iter().copied())
                .collect();
            send.push(0);
            let total: usize = recv_counts.iter().map(|&c| c as usize).sum();
            let mut recv = vec![0u8; total + 1];
            {
                let sd = displs(&send_counts);
                let rd = displs(&recv_counts);
                let sp = Partition::new(&send[..], &send_counts[..], &sd[..]);
                let mut rp = PartitionMut::new(&mut recv[..], &recv_counts[..], &rd[..]);
                self.world.all_to_all_varcount_into(&sp, &mut rp);
            }
            let mut at = 0;
            for (g, &c) in got.iter_mut().zip(&recv_counts) {
                g.extend_from_slice(&recv[at..at + c as usize]);
                at += c as usize;
            }
        }
        got
    }
}
