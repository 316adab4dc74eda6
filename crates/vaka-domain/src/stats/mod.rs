//! Statistics for the evidence reports and the analyst tools: survival (Kaplan–Meier, log-rank),
//! the Cox model (Efron ties) and intervals for proportions. Pure functions, tested against published results.

pub mod analysis;
pub mod cox;
pub mod measures;
pub mod proportion;
pub mod report;
pub mod survival;
