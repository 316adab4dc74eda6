//! The storage conformance suite: every test runs against SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod audit_chain;
mod backup;
mod plans;
mod records;
mod summaries;
mod unit_view;

use chrono::NaiveDate;
use vaka_domain::client::{ClientInput, NewClient};
use vaka_domain::ids::{ClientId, MunicipalityId, UnitId, UserId};
use vaka_domain::role::Role;
use vaka_store::{Store, clients, municipalities, users};

pub struct Seed {
    pub municipality: MunicipalityId,
    pub unit: UnitId,
    pub other_unit: UnitId,
    pub manager: UserId,
}

pub async fn seed(store: &Store) -> Seed {
    let mut tx = store.begin().await.unwrap();
    let m = municipalities::create(&mut tx, "Testkommun", "0001")
        .await
        .unwrap();
    let unit = municipalities::create_unit(&mut tx, m, "Enhet A")
        .await
        .unwrap();
    let other_unit = municipalities::create_unit(&mut tx, m, "Enhet B")
        .await
        .unwrap();
    let manager = add_case_manager(&mut tx, m, unit, "cm", "Case Manager").await;
    tx.commit().await.unwrap();
    Seed {
        municipality: m,
        unit,
        other_unit,
        manager,
    }
}

/// A case manager of `unit`, without a password.
pub async fn add_case_manager(
    tx: &mut vaka_store::Tx,
    municipality: MunicipalityId,
    unit: UnitId,
    username: &str,
    display_name: &str,
) -> UserId {
    users::create(
        tx,
        &users::NewUser {
            municipality_id: municipality,
            unit_id: Some(unit),
            username,
            display_name,
            role: Role::CaseManager,
            password_hash: None,
            may_see_protected: false,
        },
    )
    .await
    .unwrap()
}

pub fn new_client(number: &str) -> NewClient {
    NewClient::parse(
        &ClientInput {
            personal_number: Some(number),
            given_name: Some("Test"),
            family_name: Some("Testsson"),
            ..Default::default()
        },
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
    )
    .unwrap()
}

pub async fn add_client(store: &Store, s: &Seed, number: &str) -> ClientId {
    let mut tx = store.begin().await.unwrap();
    let id = clients::insert(&mut tx, s.municipality, s.unit, &new_client(number), None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

/// The `serial`th valid personal number born 1 January 1980.
pub fn personal_number(serial: u32) -> String {
    let nine = format!("800101{serial:03}");
    let digits: Vec<u8> = nine.bytes().map(|b| b - b'0').collect();
    format!(
        "19{nine}{}",
        vaka_domain::personal_number::luhn_check_digit(&digits)
    )
}

/// A small deterministic generator (xorshift), so that a failing sequence can be replayed by seed.
pub struct Rng(pub u64);
impl Rng {
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}
