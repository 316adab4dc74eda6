//! Statistics for the evidence reports and the analyst tools: survival (Kaplan–Meier, log-rank)
//! and intervals for proportions. Pure functions, tested against published results.

pub mod analysis;
pub mod proportion;
pub mod survival;
