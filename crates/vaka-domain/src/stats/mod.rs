//! Statistics for the evidence reports and the analyst tools: survival (Kaplan–Meier, log-rank),
//! the Cox model (Efron ties) and intervals for proportions. Pure functions, tested against published results.

pub mod adjusted;
pub mod analysis;
pub mod closures;
pub mod costs;
pub mod cox;
pub mod goals;
pub mod handling;
pub mod measures;
pub mod pathways;
pub mod proportion;
pub mod report;
pub mod risks;
pub mod survival;
