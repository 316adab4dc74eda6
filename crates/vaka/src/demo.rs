//! The demo municipality: a synthetic, deterministic (per seed and day) unit with staff, providers,
//! contracts, training apartments, budgets and clients with years of history — applications,
//! psychiatrists' advice, decisions, placements that end for different reasons, follow-up contacts
//! with lapses, relapses and mood, assessments and outcome follow-ups.
//!
//! No number can belong to a real person: clients get reservnummer (which contain a letter), except
//! the first, who gets Skatteverket's published test number 19121212-1212.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use anyhow::Context;
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use vaka_domain::assessment::{self, AsiArea, CutoffProfile, Instrument, Respondent};
use vaka_domain::client::Sex;
use vaka_domain::followup;
use vaka_domain::intervention::Intervention;
use vaka_domain::role::Role;
use vaka_store::bulk::{self, SqlType, Value};
use vaka_store::{NewAuditEntry, Store, municipalities};

/// Every demo login has this password.
pub const DEMO_PASSWORD: &str = "vaka-demo-2026!";

const GIVEN_MALE: &[&str] = &[
    "Anders", "Johan", "Mikael", "Erik", "Lars", "Karl", "Peter", "Thomas", "Daniel", "Fredrik",
    "Magnus", "Stefan", "Jonas", "Mats", "Marcus", "Patrik", "Andreas", "Niklas", "Ali",
    "Mohammed", "Jesper", "Robin", "Kenneth", "Tobias",
];
const GIVEN_FEMALE: &[&str] = &[
    "Anna", "Eva", "Maria", "Karin", "Sara", "Lena", "Emma", "Kristina", "Linda", "Malin", "Jenny",
    "Sofia", "Hanna", "Elin", "Johanna", "Camilla", "Fatima", "Petra", "Therese", "Ida",
];
const FAMILY: &[&str] = &[
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Jansson",
    "Hansson",
    "Bengtsson",
    "Lindberg",
    "Lindström",
    "Lundgren",
    "Berg",
    "Holm",
    "Sandberg",
    "Forsberg",
    "Sjöberg",
    "Wallin",
    "Engström",
    "Hassan",
    "Ali",
    "Nyström",
    "Björk",
    "Ek",
];
/// What a person says about an entry that reports a lapse or relapse (shown beside the entry).
const OBJECTIONS: &[&str] = &[
    "Jag drack inte den helgen, det var min bror som var full.",
    "Det var en enstaka gång och inte ett återfall som det står.",
    "Jag hade tagit min medicin enligt ordination, inget annat.",
    "Provet som nämns var negativt, det borde stå i anteckningen.",
];

/// Goals of a case's plan by life area, with what is done about them.
const GOALS: &[(&str, &str, &str)] = &[
    (
        "housing",
        "Få ett eget förstahandskontrakt.",
        "Case managern följer med på visningar och till hyresvärden.",
    ),
    (
        "housing",
        "Behålla lägenheten och betala hyran i tid.",
        "Autogiro för hyran; boendestödet kommer två gånger i veckan.",
    ),
    (
        "substance_use",
        "Vara nykter i vardagen.",
        "Återfallsprevention varannan vecka på öppenvården.",
    ),
    (
        "substance_use",
        "Dricka bara på helgerna och mindre än förut.",
        "Dryckesdagbok som vi går igenom vid varje besök.",
    ),
    (
        "health",
        "Sova bättre och orka mer på dagarna.",
        "Tid hos vårdcentralen; case managern följer med första gången.",
    ),
    (
        "health",
        "Komma igång med behandlingen hos psykiatrin.",
        "Samordnad individuell plan (SIP) med psykiatrin.",
    ),
    (
        "occupation",
        "Börja på praktik två dagar i veckan.",
        "Möte med Arbetsförmedlingen och kommunens arbetsmarknadsenhet.",
    ),
    (
        "economy",
        "Få ordning på skulderna.",
        "Budget- och skuldrådgivningen; ansökan om skuldsanering.",
    ),
    (
        "family_social",
        "Träffa barnen varannan helg.",
        "Samtal med barnens mamma tillsammans med familjebehandlaren.",
    ),
    (
        "leisure",
        "Hitta något att göra på kvällarna som inte handlar om att dricka.",
        "Prova kommunens aktivitetshus och en träningsgrupp.",
    ),
];

const GOAL_NOTES: &[(&str, &str)] = &[
    ("ongoing", "Går framåt; fortsätter som planerat."),
    (
        "ongoing",
        "Har varit svårt de senaste veckorna, vi fortsätter.",
    ),
    ("reached", "Målet är nått."),
    (
        "partly_reached",
        "En bit på väg; ett nytt mål skrivs för resten.",
    ),
    (
        "not_reached",
        "Inte nått under perioden; personen vill ta ett mindre steg först.",
    ),
    (
        "dropped",
        "Personen vill hellre satsa på något annat just nu.",
    ),
];

const NOTES: &[&str] = &[
    "Bra samtal. Klienten berättar att veckan har gått bra.",
    "Pratade om sömn och struktur i vardagen.",
    "Klienten oroar sig för ekonomin; vi bokar tid hos budget- och skuldrådgivningen.",
    "Följde med till vårdcentralen.",
    "Klienten har varit på AA-möte två gånger.",
    "Lägenheten städad, kylskåpet fyllt.",
    "Klienten är trött och nedstämd. Vi ses igen i morgon.",
    "Samtal om återfallsprevention och varningssignaler.",
    "Kontakt med psykiatrin om läkemedel.",
    "Klienten söker arbete via Arbetsförmedlingen.",
];
const APPLICATION_TEXTS: &[&str] = &[
    "Jag vill komma till ett behandlingshem och bli fri från alkoholen.",
    "Jag behöver någonstans att bo och hjälp att hålla mig nykter.",
    "Jag vill ha stöd på hemmaplan så att jag kan behålla min lägenhet.",
    "Jag vill ha behandling för mitt drogberoende.",
];

struct Staff {
    username: &'static str,
    display: &'static str,
    role: Role,
    unit: usize,
}

const STAFF: &[Staff] = &[
    Staff {
        username: "anna.berg",
        display: "Anna Berg",
        role: Role::CaseManager,
        unit: 0,
    },
    Staff {
        username: "erik.lind",
        display: "Erik Lind",
        role: Role::CaseManager,
        unit: 0,
    },
    Staff {
        username: "sara.holm",
        display: "Sara Holm",
        role: Role::CaseManager,
        unit: 0,
    },
    Staff {
        username: "johan.ek",
        display: "Johan Ek",
        role: Role::CaseManager,
        unit: 0,
    },
    Staff {
        username: "maria.nord",
        display: "Maria Nord",
        role: Role::CaseManager,
        unit: 0,
    },
    Staff {
        username: "omar.hassan",
        display: "Omar Hassan",
        role: Role::CaseManager,
        unit: 0,
    },
    Staff {
        username: "lena.strom",
        display: "Lena Ström",
        role: Role::CaseManager,
        unit: 0,
    },
    Staff {
        username: "karin.dahl",
        display: "Karin Dahl",
        role: Role::CaseManager,
        unit: 0,
    },
    Staff {
        username: "fatima.ali",
        display: "Fatima Ali",
        role: Role::CaseManager,
        unit: 0,
    },
    Staff {
        username: "peter.sjo",
        display: "Peter Sjö",
        role: Role::CaseManager,
        unit: 1,
    },
    Staff {
        username: "birgitta.falk",
        display: "Birgitta Falk",
        role: Role::UnitHead,
        unit: 0,
    },
    Staff {
        username: "mats.wik",
        display: "Mats Wik",
        role: Role::UnitHead,
        unit: 1,
    },
    Staff {
        username: "admin",
        display: "Systemadministratör",
        role: Role::Admin,
        unit: 0,
    },
    Staff {
        username: "nils.analys",
        display: "Nils Ström (analytiker)",
        role: Role::Analyst,
        unit: 0,
    },
    Staff {
        username: "gun.granskare",
        display: "Gun Åberg (granskare)",
        role: Role::Auditor,
        unit: 0,
    },
];

struct ProviderSpec {
    name: &'static str,
    internal: bool,
    prices: &'static [(Intervention, i64)],
}

const PROVIDERS: &[ProviderSpec] = &[
    ProviderSpec {
        name: "Kommunen (egen regi)",
        internal: true,
        prices: &[
            (Intervention::CaseManagement, 520),
            (Intervention::TrainingApartment, 310),
            (Intervention::SupportedHousingInternal, 1150),
            (Intervention::Outpatient, 480),
        ],
    },
    ProviderSpec {
        name: "Stödboendet Ankaret AB",
        internal: false,
        prices: &[(Intervention::SupportedHousingExternal, 1350)],
    },
    ProviderSpec {
        name: "Bryggan Stödboende AB",
        internal: false,
        prices: &[(Intervention::SupportedHousingExternal, 1400)],
    },
    ProviderSpec {
        name: "Kompassen Boende AB",
        internal: false,
        prices: &[(Intervention::SupportedHousingExternal, 1450)],
    },
    ProviderSpec {
        name: "Vägen Ut Stödboende AB",
        internal: false,
        prices: &[(Intervention::SupportedHousingExternal, 1500)],
    },
    ProviderSpec {
        name: "Stiftelsen Fyrbåken",
        internal: false,
        prices: &[(Intervention::SupportedHousingExternal, 1420)],
    },
    ProviderSpec {
        name: "Trappsteget Omsorg AB",
        internal: false,
        prices: &[(Intervention::SupportedHousingExternal, 1380)],
    },
    ProviderSpec {
        name: "Behandlingshemmet Solgläntan AB",
        internal: false,
        prices: &[(Intervention::TreatmentHome, 2400)],
    },
    ProviderSpec {
        name: "Granhedsgården HVB AB",
        internal: false,
        prices: &[(Intervention::TreatmentHome, 2900)],
    },
    ProviderSpec {
        name: "Stiftelsen Nybryggan",
        internal: false,
        prices: &[(Intervention::TreatmentHome, 3200)],
    },
    ProviderSpec {
        name: "Lindåsens Behandlingshem AB",
        internal: false,
        prices: &[(Intervention::TreatmentHome, 2100)],
    },
    ProviderSpec {
        name: "Öppenvårdsmottagningen Kvarnen AB",
        internal: false,
        prices: &[(Intervention::Outpatient, 650)],
    },
    ProviderSpec {
        name: "Läkemedelsmottagningen Norr AB",
        internal: false,
        prices: &[(Intervention::MedicationAssisted, 400)],
    },
];

const TRAINING_APARTMENTS: usize = 20;
const INTERNAL_SUPPORTED_PLACES: usize = 6;
/// Rows buffered per table before they are written.
const FLUSH_ROWS: usize = 20_000;

/// A table being filled: its columns and buffered rows.
struct Table {
    name: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<Value>>,
    next_id: i64,
    written: u64,
}

impl Table {
    fn new(name: &'static str, columns: &'static [&'static str]) -> Self {
        Self {
            name,
            columns,
            rows: Vec::new(),
            next_id: 1,
            written: 0,
        }
    }
    fn id(&mut self) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }
}

struct Ctx {
    rng: ChaCha8Rng,
    today: NaiveDate,
    /// Per provider: (provider id, prices by intervention).
    providers: Vec<(i64, Vec<(Intervention, i64)>)>,
    apartments: Vec<(i64, NaiveDate)>,
    internal_places: Vec<(i64, NaiveDate)>,
    case_managers: Vec<Vec<i64>>,
    units: Vec<i64>,
    cost_by_year: HashMap<(i32, Intervention), i64>,
    numbers: HashSet<(NaiveDate, u16)>,
    clients: Table,
    cases: Table,
    assignments: Table,
    applications: Table,
    recommendations: Table,
    decisions: Table,
    placements: Table,
    contacts: Table,
    objections: Table,
    assessments: Table,
    follow_ups: Table,
    alerts: Table,
    goals: Table,
    goal_reviews: Table,
}

fn chance(rng: &mut ChaCha8Rng, p: f64) -> bool {
    rng.random_bool(p.clamp(0.0, 1.0))
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// Picks by weight from `(item, weight)` pairs.
fn weighted<T: Copy>(rng: &mut ChaCha8Rng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.random_range(0..total.max(1));
    for (item, w) in items {
        if x < *w {
            return *item;
        }
        x -= w;
    }
    items[items.len() - 1].0
}

/// Open cases per case manager that the demo aims for when it adds staff.
const CASELOAD: usize = 25;

/// Loads the demo municipality into an empty database, in one transaction.
pub async fn load(store: &Store, clients: u32, seed: u64) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut tx = store.begin().await?;
    if !municipalities::is_empty(&mut tx).await? {
        anyhow::bail!(
            "the database already has data; the demo is loaded only into an empty database (use a new file or database)"
        );
    }
    let today = vaka_domain::time::local_date(vaka_store::now());
    let mut rng = ChaCha8Rng::seed_from_u64(seed);

    let municipality = municipalities::create(&mut tx, "Demokommun", "9999").await?;
    let units = vec![
        municipalities::create_unit(
            &mut tx,
            municipality,
            "Vuxenenheten – missbruk och beroende",
        )
        .await?
        .0,
        municipalities::create_unit(&mut tx, municipality, "Socialpsykiatri och samsjuklighet")
            .await?
            .0,
    ];

    // Staff.
    let mut case_managers = vec![Vec::new(), Vec::new()];
    let mut logins = Vec::new();
    // One hash for every demo login: they share the password, and hashing is slow on purpose.
    let hash =
        vaka_web::auth::hash_password(DEMO_PASSWORD).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    for s in STAFF {
        let id = vaka_store::users::create(
            &mut tx,
            &vaka_store::users::NewUser {
                municipality_id: municipality,
                unit_id: Some(vaka_domain::ids::UnitId(units[s.unit])),
                username: s.username,
                display_name: s.display,
                role: s.role,
                password_hash: Some(&hash),
                may_see_protected: s.role == Role::UnitHead,
            },
        )
        .await?;
        if s.role == Role::CaseManager {
            case_managers[s.unit].push(id.0);
        }
        logins.push((s.username, s.role, s.display));
    }
    // Large demos get more case managers, so that a caseload stays near a real one (about 25
    // clients with an open case each): `cm.0001`, `cm.0002`, ... with the same password.
    let named = STAFF.iter().filter(|s| s.role == Role::CaseManager).count();
    let extra = (clients as usize * 37 / 100 / CASELOAD).saturating_sub(named);
    for i in 1..=extra {
        let username = format!("cm.{i:04}");
        let display = format!("Handläggare {i}");
        let unit = usize::from(i % 10 == 0);
        let id = vaka_store::users::create(
            &mut tx,
            &vaka_store::users::NewUser {
                municipality_id: municipality,
                unit_id: Some(vaka_domain::ids::UnitId(units[unit])),
                username: &username,
                display_name: &display,
                role: Role::CaseManager,
                password_hash: Some(&hash),
                may_see_protected: false,
            },
        )
        .await?;
        case_managers[unit].push(id.0);
    }

    // Providers and contracts: an older contract and a newer one with higher prices.
    let mut providers = Vec::new();
    let mut provider_rows = Vec::new();
    let mut contract_rows = Vec::new();
    let mut price_rows = Vec::new();
    let mut contract_id = 0i64;
    for (i, p) in PROVIDERS.iter().enumerate() {
        let id = i as i64 + 1;
        let org = (!p.internal).then(|| org_number(&mut rng));
        provider_rows.push(vec![
            id.into(),
            municipality.0.into(),
            p.name.into(),
            org.into(),
            p.internal.into(),
            vaka_store::now().into(),
        ]);
        let periods = [
            (
                NaiveDate::from_ymd_opt(today.year() - 8, 1, 1),
                NaiveDate::from_ymd_opt(today.year() - 3, 12, 31),
                100,
            ),
            (
                NaiveDate::from_ymd_opt(today.year() - 2, 1, 1),
                NaiveDate::from_ymd_opt(today.year() + 1, 12, 31),
                106,
            ),
        ];
        for (from, to, pct) in periods {
            contract_id += 1;
            contract_rows.push(vec![
                contract_id.into(),
                id.into(),
                format!("DEMO-{id:02}-{}", from.map_or(0, |d| d.year())).into(),
                from.into(),
                to.into(),
                Value::I64(rng.random_range(50..=80)),
                true.into(),
                chance(&mut rng, 0.6).into(),
            ]);
            for (iv, sek) in p.prices {
                price_rows.push(vec![
                    contract_id.into(),
                    iv.as_str().into(),
                    (sek * pct).into(),
                ]);
            }
        }
        providers.push((id, p.prices.to_vec()));
    }
    bulk::insert(
        &mut tx,
        "providers",
        &[
            "id",
            "municipality_id",
            "name",
            "organisation_number",
            "internal",
            "created_at",
        ],
        &provider_rows,
    )
    .await?;
    bulk::insert(
        &mut tx,
        "contracts",
        &[
            "id",
            "provider_id",
            "reference",
            "valid_from",
            "valid_to",
            "required_educated_staff_pct",
            "sobriety_policy",
            "reports_results",
        ],
        &contract_rows,
    )
    .await?;
    bulk::insert(
        &mut tx,
        "contract_prices",
        &["contract_id", "intervention", "daily_price_ore"],
        &price_rows,
    )
    .await?;

    // Training apartments and internal supported-housing places.
    let mut housing_rows = Vec::new();
    let mut apartments = Vec::new();
    let mut internal_places = Vec::new();
    for i in 0..TRAINING_APARTMENTS + INTERNAL_SUPPORTED_PLACES {
        let id = i as i64 + 1;
        let training = i < TRAINING_APARTMENTS;
        let (kind, label) = if training {
            ("training_apartment", format!("Träningslägenhet {}", i + 1))
        } else {
            (
                "supported_housing_internal",
                format!("Stödboendet Linden, plats {}", i + 1 - TRAINING_APARTMENTS),
            )
        };
        housing_rows.push(vec![
            id.into(),
            municipality.0.into(),
            kind.into(),
            label.into(),
            format!("Demogatan {}", 10 + i).into(),
            true.into(),
            Value::I64(if training { 650_000 } else { 0 }),
        ]);
        let free = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(today);
        if training {
            apartments.push((id, free))
        } else {
            internal_places.push((id, free))
        }
    }
    bulk::insert(
        &mut tx,
        "housing_units",
        &[
            "id",
            "municipality_id",
            "kind",
            "label",
            "address",
            "sobriety_required",
            "monthly_cost_ore",
        ],
        &housing_rows,
    )
    .await?;

    let ctx = Ctx {
        rng,
        today,
        providers,
        apartments,
        internal_places,
        case_managers,
        units,
        cost_by_year: HashMap::new(),
        numbers: HashSet::new(),
        clients: Table::new(
            "clients",
            &[
                "id",
                "municipality_id",
                "unit_id",
                "personal_number",
                "number_kind",
                "given_name",
                "family_name",
                "birth_date",
                "sex",
                "protection",
                "address",
                "phone",
                "created_at",
            ],
        ),
        cases: Table::new(
            "cases",
            &[
                "id",
                "client_id",
                "unit_id",
                "status",
                "origin",
                "opened_on",
                "closed_on",
                "closure_reason",
                "created_at",
            ],
        ),
        assignments: Table::new(
            "case_assignments",
            &["case_id", "user_id", "assigned_on", "unassigned_on"],
        ),
        applications: Table::new(
            "applications",
            &[
                "id",
                "client_id",
                "case_id",
                "intervention",
                "description",
                "received_on",
                "created_at",
            ],
        ),
        recommendations: Table::new(
            "recommendations",
            &[
                "id",
                "client_id",
                "case_id",
                "intervention",
                "profession",
                "recommender_name",
                "recommended_on",
                "document_ref",
                "created_at",
            ],
        ),
        decisions: Table::new(
            "decisions",
            &[
                "id",
                "client_id",
                "case_id",
                "intervention",
                "outcome",
                "period_start",
                "period_end",
                "provider_id",
                "reasons",
                "legal_basis",
                "application_id",
                "recommendation_id",
                "departure_from_application",
                "departure_from_recommendation",
                "departs_from_application",
                "departs_from_recommendation",
                "decided_on",
                "decided_by",
                "notified_on",
                "created_at",
                "communicated_on",
                "communication_method",
                "client_response",
            ],
        ),
        placements: Table::new(
            "placements",
            &[
                "id",
                "client_id",
                "case_id",
                "decision_id",
                "intervention",
                "provider_id",
                "housing_unit_id",
                "start_date",
                "end_date",
                "daily_price_ore",
                "end_reason",
                "created_at",
            ],
        ),
        contacts: Table::new(
            "contacts",
            &[
                "id",
                "client_id",
                "case_id",
                "author_id",
                "occurred_at",
                "kind",
                "substance_use",
                "substances",
                "well_being",
                "sleep",
                "housing",
                "note",
                "status",
                "signed_at",
                "created_at",
                "updated_at",
                "risks",
                "plan_goal_id",
            ],
        ),
        goals: Table::new(
            "plan_goals",
            &[
                "id",
                "client_id",
                "case_id",
                "life_area",
                "goal",
                "actions",
                "follow_up_on",
                "created_by",
                "created_at",
            ],
        ),
        goal_reviews: Table::new(
            "plan_goal_reviews",
            &[
                "id",
                "client_id",
                "goal_id",
                "status",
                "reviewed_on",
                "note",
                "next_follow_up_on",
                "reviewed_by",
                "created_at",
            ],
        ),
        objections: Table::new(
            "contact_objections",
            &[
                "id",
                "client_id",
                "contact_id",
                "statement",
                "received_on",
                "recorded_by",
                "created_at",
            ],
        ),
        assessments: Table::new(
            "assessments",
            &[
                "id",
                "client_id",
                "instrument",
                "answers",
                "total",
                "administered_on",
                "administered_by",
                "created_at",
                "audit_c",
                "zone",
                "cutoff",
                "cutoff_basis",
                "above_cutoff",
                "profile",
            ],
        ),
        follow_ups: Table::new(
            "follow_ups",
            &[
                "id",
                "client_id",
                "placement_id",
                "timepoint",
                "due_on",
                "status",
                "done_on",
                "missed_reason",
                "days_alcohol_30",
                "days_drugs_30",
                "housing",
                "occupation",
                "crime_30",
                "self_rated_health",
                "quality_of_life",
                "problematic_use",
                "asi_ratings",
                "created_at",
            ],
        ),
        alerts: Table::new(
            "alerts",
            &[
                "id",
                "client_id",
                "rule",
                "severity",
                "explanation",
                "cause_key",
                "status",
                "assigned_to",
                "created_at",
                "escalated",
            ],
        ),
    };

    let bar = ProgressBar::new(u64::from(clients));
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} klienter/clients ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("Demo");
    // Rows are generated on a thread of their own while the previous batch is written.
    let (send, mut batches) = tokio::sync::mpsc::channel::<Vec<Batch>>(2);
    let progress = bar.clone();
    let generator = tokio::task::spawn_blocking(move || {
        let mut ctx = ctx;
        for i in 0..clients {
            client(&mut ctx, i);
            let full =
                ctx.contacts.rows.len() >= FLUSH_ROWS || ctx.clients.rows.len() >= FLUSH_ROWS / 4;
            if full && send.blocking_send(ctx.take_batches()).is_err() {
                break;
            }
            progress.inc(1);
        }
        let _ = send.blocking_send(ctx.take_batches());
        ctx
    });
    let mut writing = std::time::Duration::ZERO;
    while let Some(batch) = batches.recv().await {
        let t = Instant::now();
        for (name, columns, rows) in batch {
            bulk::insert(&mut tx, name, columns, &rows)
                .await
                .with_context(|| format!("writing {name}"))?;
        }
        writing += t.elapsed();
    }
    let mut ctx = generator.await.context("the demo generator stopped")?;
    bar.finish_and_clear();

    // Budgets: each year's actual cost per intervention, give or take ten per cent.
    let mut budget_rows = Vec::new();
    let mut keys: Vec<_> = ctx.cost_by_year.keys().copied().collect();
    keys.sort();
    for (n, (year, iv)) in keys.iter().enumerate() {
        if *year < today.year() - 5 {
            continue;
        }
        let cost = ctx.cost_by_year[&(*year, *iv)];
        let factor = ctx.rng.random_range(90..=110);
        budget_rows.push(vec![
            Value::I64(n as i64 + 1),
            municipality.0.into(),
            Value::I64(i64::from(*year)),
            iv.as_str().into(),
            (cost / 100 * factor).into(),
        ]);
    }
    bulk::insert(
        &mut tx,
        "budgets",
        &[
            "id",
            "municipality_id",
            "year",
            "intervention",
            "amount_ore",
        ],
        &budget_rows,
    )
    .await?;
    bulk::reset_sequences(
        &mut tx,
        &[
            "providers",
            "contracts",
            "housing_units",
            "clients",
            "cases",
            "applications",
            "recommendations",
            "decisions",
            "placements",
            "contacts",
            "assessments",
            "follow_ups",
            "alerts",
            "budgets",
        ],
    )
    .await?;
    tx.audit(NewAuditEntry {
        user_id: None,
        username: "cli".into(),
        role: "system".into(),
        client_id: None,
        case_id: None,
        action: vaka_store::AuditAction::DemoLoad,
        detail: format!("vaka demo --clients {clients} --seed {seed}"),
        emergency_reason: None,
        address: None,
        clients: Vec::new(),
    });
    let t = Instant::now();
    tx.commit().await.context("could not save the demo data")?;
    writing += t.elapsed();

    let tables = [
        &ctx.clients,
        &ctx.cases,
        &ctx.decisions,
        &ctx.placements,
        &ctx.contacts,
        &ctx.objections,
        &ctx.assessments,
        &ctx.follow_ups,
        &ctx.alerts,
        &ctx.goals,
        &ctx.goal_reviews,
    ];
    let summary: Vec<String> = tables
        .iter()
        .map(|t| format!("{} {}", t.written, t.name))
        .collect();
    eprintln!(
        "Demokommun inläst / demo loaded in {:.1} s ({:.1} s writing): {}.",
        started.elapsed().as_secs_f64(),
        writing.as_secs_f64(),
        summary.join(", ")
    );
    outln!("Demo-inloggningar / demo logins (lösenord / password: {DEMO_PASSWORD})")?;
    for (u, role, name) in logins {
        outln!("  {u:<15} {:<13} {name}", role.as_str())?;
    }
    if extra > 0 {
        outln!("  cm.0001 … cm.{extra:04}  case_manager  (more case managers, same password)")?;
    }
    Ok(())
}

type Batch = (&'static str, &'static [&'static str], Vec<Vec<Value>>);

impl Ctx {
    /// Moves the buffered rows out, parents before children, and counts them as written.
    fn take_batches(&mut self) -> Vec<Batch> {
        [
            &mut self.clients,
            &mut self.cases,
            &mut self.assignments,
            &mut self.applications,
            &mut self.recommendations,
            &mut self.decisions,
            &mut self.placements,
            // The plan before the journal: an entry names the goal it served.
            &mut self.goals,
            &mut self.goal_reviews,
            &mut self.contacts,
            &mut self.objections,
            &mut self.assessments,
            &mut self.follow_ups,
            &mut self.alerts,
        ]
        .into_iter()
        .map(|t| {
            t.written += t.rows.len() as u64;
            (t.name, t.columns, std::mem::take(&mut t.rows))
        })
        .collect()
    }
}

/// A valid, fictional organisation number (Luhn check digit), formatted NNNNNN-NNNN.
fn org_number(rng: &mut ChaCha8Rng) -> String {
    let mut d: Vec<u8> = vec![5, 5, 9];
    d.extend((0..6).map(|_| rng.random_range(0..10u8)));
    d.push(vaka_domain::personal_number::luhn_check_digit(&d));
    let s: String = d.iter().map(|x| char::from(b'0' + x)).collect();
    format!("{}-{}", &s[..6], &s[6..])
}

fn at(date: NaiveDate, rng: &mut ChaCha8Rng) -> chrono::DateTime<Utc> {
    let t = NaiveTime::from_hms_opt(rng.random_range(8..17), rng.random_range(0..60), 0)
        .unwrap_or_default();
    chrono_tz::Europe::Stockholm
        .from_local_datetime(&date.and_time(t))
        .earliest()
        .map_or_else(
            || Utc.from_utc_datetime(&date.and_time(t)),
            |d| d.with_timezone(&Utc),
        )
}

fn contact_interval(iv: Intervention, rng: &mut ChaCha8Rng, recent: bool) -> i64 {
    if !recent {
        return rng.random_range(14..35);
    }
    match iv {
        Intervention::CaseManagement | Intervention::TrainingApartment => rng.random_range(2..5),
        Intervention::SupportedHousingInternal
        | Intervention::SupportedHousingExternal
        | Intervention::Outpatient => rng.random_range(4..11),
        Intervention::MedicationAssisted => rng.random_range(7..15),
        Intervention::TreatmentHome | Intervention::Other => rng.random_range(14..31),
    }
}

/// The risks a demo entry reports, chosen by the entry's id rather than the random stream, so that the
/// rest of the demo is the same with or without them: now and then an overdose with an opioid
/// relapse, violence with a relapse, suicidal thoughts at very low well-being, and a rare notice of
/// eviction.
fn demo_risks(id: i64, reached: bool, usage: &str, substances: &str, well: i64) -> &'static str {
    if !reached {
        return "";
    }
    let overdose = usage == "relapse" && substances.contains("opioids") && id % 3 == 0;
    let violence = usage == "relapse" && id % 11 == 0;
    match (overdose, violence) {
        (true, true) => "overdose,violence",
        (true, false) => "overdose",
        (false, true) => "violence",
        _ if well <= 2 && id % 5 == 0 => "suicide_risk",
        _ if id % 211 == 0 => "eviction_risk",
        _ => "",
    }
}

fn housing_for(iv: Intervention, rng: &mut ChaCha8Rng) -> &'static str {
    match iv {
        Intervention::TreatmentHome => "treatment_home",
        Intervention::SupportedHousingExternal | Intervention::SupportedHousingInternal => {
            "supported_housing"
        }
        Intervention::TrainingApartment => "training_apartment",
        _ => weighted(
            rng,
            &[
                ("own", 70),
                ("homeless", 15),
                ("unknown", 10),
                ("hospital", 5),
            ],
        ),
    }
}

fn duration_days(iv: Intervention, rng: &mut ChaCha8Rng) -> i64 {
    match iv {
        Intervention::TreatmentHome => rng.random_range(28..200),
        Intervention::SupportedHousingExternal | Intervention::SupportedHousingInternal => {
            rng.random_range(60..420)
        }
        Intervention::TrainingApartment => rng.random_range(90..540),
        Intervention::CaseManagement => rng.random_range(90..720),
        Intervention::Outpatient => rng.random_range(60..240),
        Intervention::MedicationAssisted => rng.random_range(180..900),
        Intervention::Other => rng.random_range(30..120),
    }
}

fn end_reason(iv: Intervention, rng: &mut ChaCha8Rng) -> &'static str {
    let relapse = match iv {
        Intervention::TreatmentHome => 25,
        Intervention::SupportedHousingExternal | Intervention::SupportedHousingInternal => 30,
        _ => 20,
    };
    weighted(
        rng,
        &[
            ("completed_as_planned", 50),
            ("relapse", relapse),
            ("broken_off_by_client", 12),
            ("evicted_or_discharged", 7),
            ("moved", 3),
            ("died", 1),
            ("other", 2),
        ],
    )
}

/// Why a case closes after its last intervention ended for `reason`.
fn closure_reason(reason: &str) -> &'static str {
    match reason {
        "completed_as_planned" => "goals_met",
        "broken_off_by_client" => "client_declined",
        "moved" => "moved",
        "died" => "died",
        "relapse" | "evicted_or_discharged" => "transferred",
        _ => "lost_contact",
    }
}

fn next_intervention(
    prev: Intervention,
    reason: &str,
    rng: &mut ChaCha8Rng,
) -> Option<Intervention> {
    use Intervention::*;
    let choices: &[(Option<Intervention>, u32)] = match (reason, prev) {
        ("moved" | "died", _) => &[(None, 1)],
        ("relapse", _) => &[
            (Some(TreatmentHome), 50),
            (Some(SupportedHousingExternal), 20),
            (Some(CaseManagement), 20),
            (None, 10),
        ],
        ("completed_as_planned", TreatmentHome) => &[
            (Some(SupportedHousingExternal), 40),
            (Some(TrainingApartment), 25),
            (Some(CaseManagement), 10),
            (Some(Outpatient), 15),
            (None, 10),
        ],
        ("completed_as_planned", SupportedHousingExternal | SupportedHousingInternal) => &[
            (Some(TrainingApartment), 40),
            (Some(CaseManagement), 20),
            (None, 40),
        ],
        ("completed_as_planned", Outpatient) => &[
            (None, 60),
            (Some(CaseManagement), 20),
            (Some(TreatmentHome), 20),
        ],
        ("completed_as_planned", _) => &[(None, 70), (Some(CaseManagement), 30)],
        _ => &[
            (Some(TreatmentHome), 30),
            (Some(Outpatient), 30),
            (None, 40),
        ],
    };
    weighted(rng, choices)
}

fn price_at(ctx: &Ctx, provider_index: usize, iv: Intervention, start: NaiveDate) -> i64 {
    let base = ctx.providers[provider_index]
        .1
        .iter()
        .find(|(i, _)| *i == iv)
        .map_or(1000, |(_, p)| *p);
    if start.year() >= ctx.today.year() - 2 {
        base * 106
    } else {
        base * 100
    }
}

fn provider_for(ctx: &mut Ctx, iv: Intervention) -> usize {
    let options: Vec<usize> = ctx
        .providers
        .iter()
        .enumerate()
        .filter(|(_, p)| p.1.iter().any(|(i, _)| *i == iv))
        .map(|(n, _)| n)
        .collect();
    if options.is_empty() {
        0
    } else {
        *pick(&mut ctx.rng, &options)
    }
}

fn scores(rng: &mut ChaCha8Rng, items: usize, heavy: bool) -> Vec<u8> {
    (0..items)
        .map(|i| {
            let last_two = i + 2 >= items;
            let hi = if heavy { 5 } else { 3 };
            if last_two {
                [0u8, 2, 4][rng.random_range(0..if heavy { 3 } else { 2 })]
            } else {
                rng.random_range(0..hi.min(5)) as u8
            }
        })
        .collect()
}

/// The plan of an open case: one to three goals written in the case's first weeks, each followed
/// up about every three months until it ends or its next follow-up lies ahead (now and then one
/// overdue). Drawn from a generator of its own, so the rest of the demo is the same without it.
/// Writes the plan of an open case and returns each goal with the day it was written and the day a
/// follow-up ended it, if one did.
fn plan(
    ctx: &mut Ctx,
    client: i64,
    case: i64,
    manager: i64,
    intake: NaiveDate,
) -> Vec<(i64, NaiveDate, Option<NaiveDate>)> {
    let mut goals = Vec::new();
    let mut rng =
        ChaCha8Rng::seed_from_u64(0x504c_414e ^ u64::try_from(client).unwrap_or_default());
    let today = ctx.today;
    let written = (intake + Duration::days(rng.random_range(3..21))).min(today);
    let mut areas: Vec<usize> = (0..GOALS.len()).collect();
    for _ in 0..rng.random_range(1..=3) {
        let (area, goal, actions) = GOALS[areas.swap_remove(rng.random_range(0..areas.len()))];
        let gid = ctx.goals.id();
        let mut ended = None;
        let mut due = written + Duration::days(rng.random_range(60..120));
        ctx.goals.rows.push(vec![
            gid.into(),
            client.into(),
            case.into(),
            area.into(),
            goal.into(),
            actions.into(),
            due.into(),
            manager.into(),
            at(written, &mut rng).into(),
        ]);
        // Follow-ups on (or a few days after) each due day that has passed; one that fell due in
        // the last month is sometimes not done yet, so that its alert shows.
        while due <= today && !((today - due).num_days() < 30 && chance(&mut rng, 0.3)) {
            let reviewed = (due + Duration::days(rng.random_range(0..7))).min(today);
            let (status, note) = GOAL_NOTES[weighted(
                &mut rng,
                &[(0, 35), (1, 20), (2, 20), (3, 10), (4, 8), (5, 7)],
            )];
            let next =
                (status == "ongoing").then(|| reviewed + Duration::days(rng.random_range(60..120)));
            let rid = ctx.goal_reviews.id();
            ctx.goal_reviews.rows.push(vec![
                rid.into(),
                client.into(),
                gid.into(),
                status.into(),
                reviewed.into(),
                note.into(),
                next.map_or(Value::Null(SqlType::Date), Value::from),
                manager.into(),
                at(reviewed, &mut rng).into(),
            ]);
            match next {
                Some(n) => due = n,
                None => {
                    ended = Some(reviewed);
                    break;
                }
            }
        }
        goals.push((gid, written, ended));
    }
    goals
}

/// Names the goal some of a case's signed entries served: about one in three written while a goal
/// was going, chosen by the entry's id so that no random stream moves.
fn link_goals(rows: &mut [Vec<Value>], case: i64, goals: &[(i64, NaiveDate, Option<NaiveDate>)]) {
    for row in rows {
        let (Value::I64(id), Value::I64(c), Value::Ts(when)) = (&row[0], &row[2], &row[4]) else {
            continue;
        };
        if *c != case || row[12] != Value::from("signed") || id % 3 != 0 {
            continue;
        }
        let day = vaka_domain::time::local_date(*when);
        let going: Vec<i64> = goals
            .iter()
            .filter(|(_, written, ended)| *written <= day && ended.is_none_or(|e| day <= e))
            .map(|g| g.0)
            .collect();
        if let Some(goal) =
            going.get(usize::try_from(id / 3).unwrap_or_default() % going.len().max(1))
        {
            row[17] = Value::I64(*goal);
        }
    }
}

/// About one open case in 30 has a new application, received in the last six weeks, that no
/// decision has answered yet (so the unit head's list of waiting applications shows). Its own
/// generator, like the plan's.
fn waiting_application(ctx: &mut Ctx, client: i64, case: i64) {
    let mut rng =
        ChaCha8Rng::seed_from_u64(0x5741_4954 ^ u64::try_from(client).unwrap_or_default());
    if !chance(&mut rng, 1.0 / 30.0) {
        return;
    }
    let received = ctx.today - Duration::days(rng.random_range(1..42));
    let applied = *pick(
        &mut rng,
        &[
            Intervention::TreatmentHome,
            Intervention::SupportedHousingExternal,
            Intervention::TrainingApartment,
        ],
    );
    let aid = ctx.applications.id();
    ctx.applications.rows.push(vec![
        aid.into(),
        client.into(),
        case.into(),
        applied.as_str().into(),
        (*pick(&mut rng, APPLICATION_TEXTS)).into(),
        received.into(),
        at(received, &mut rng).into(),
    ]);
}

/// Now and then an open case is shared: another case manager of the unit (housing support, say)
/// follows the person beside the case manager from a few weeks in. Its own generator, like the
/// plan's.
fn shared(
    ctx: &mut Ctx,
    (client, case): (i64, i64),
    unit_index: usize,
    manager: i64,
    intake: NaiveDate,
) {
    let mut rng =
        ChaCha8Rng::seed_from_u64(0x5348_4152 ^ u64::try_from(client).unwrap_or_default());
    if !chance(&mut rng, 0.04) {
        return;
    }
    let others: Vec<i64> = ctx.case_managers[unit_index]
        .iter()
        .copied()
        .filter(|m| *m != manager)
        .collect();
    if others.is_empty() {
        return;
    }
    let second = *pick(&mut rng, &others);
    let from = (intake + Duration::days(rng.random_range(7..90))).min(ctx.today);
    ctx.assignments.rows.push(vec![
        case.into(),
        second.into(),
        from.into(),
        Value::Null(SqlType::Date),
    ]);
}

fn client(ctx: &mut Ctx, index: u32) {
    let (contacts_from, first_contact_id) = (ctx.contacts.rows.len(), ctx.contacts.next_id);
    let mut disputed: Vec<(i64, NaiveDate, i64)> = Vec::new();
    let rng = &mut ctx.rng;
    let today = ctx.today;
    let id = ctx.clients.id();
    let unit_index = usize::from(chance(rng, 0.1));
    let unit = ctx.units[unit_index];
    let manager = *pick(rng, &ctx.case_managers[unit_index]);
    let male = chance(rng, 0.72);
    let birth = today - Duration::days(rng.random_range(19 * 365..70 * 365));
    let (number, kind) = if index == 0 {
        ("191212121212".to_owned(), "personnummer")
    } else {
        let mut n: u16 = rng.random_range(0..1000);
        while !ctx.numbers.insert((birth, n)) {
            n = (n + 1) % 1000;
        }
        (format!("{}R{n:03}", birth.format("%Y%m%d")), "reservnummer")
    };
    let birth = if index == 0 {
        NaiveDate::from_ymd_opt(1912, 12, 12).unwrap_or(birth)
    } else {
        birth
    };
    let given = if index == 0 {
        "Tolvan"
    } else if male {
        *pick(rng, GIVEN_MALE)
    } else {
        *pick(rng, GIVEN_FEMALE)
    };
    let family = if index == 0 {
        "Tolvansson"
    } else {
        *pick(rng, FAMILY)
    };
    let protection = if chance(rng, 0.01) {
        "protected_registration"
    } else {
        "none"
    };
    let intake = today - Duration::days(rng.random_range(14..6 * 365));
    let created = at(intake, rng);
    ctx.clients.rows.push(vec![
        id.into(),
        1i64.into(),
        unit.into(),
        number.into(),
        kind.into(),
        given.into(),
        family.into(),
        birth.into(),
        (if male || index == 0 { "male" } else { "female" }).into(),
        protection.into(),
        Value::from(
            (protection == "none")
                .then(|| format!("Demogatan {}, 123 45 Demostad", rng.random_range(1..200))),
        ),
        Value::from(
            (protection == "none").then(|| format!("070-174 06 {:02}", rng.random_range(5..100))),
        ),
        created.into(),
    ]);

    let case_id = ctx.cases.id();
    let origin = weighted(
        rng,
        &[("application", 70), ("report", 20), ("referral", 10)],
    );
    let case_row = ctx.cases.rows.len();
    ctx.cases.rows.push(vec![
        case_id.into(),
        id.into(),
        unit.into(),
        "open".into(),
        origin.into(),
        intake.into(),
        Value::Null(SqlType::Date),
        Value::Null(SqlType::Text),
        created.into(),
    ]);
    let assignment_row = ctx.assignments.rows.len();
    ctx.assignments.rows.push(vec![
        case_id.into(),
        manager.into(),
        intake.into(),
        Value::Null(SqlType::Date),
    ]);

    // The application, a psychiatrist's advice, and the first decision — which sometimes departs from both.
    let applied = weighted(
        rng,
        &[
            (Intervention::TreatmentHome, 40),
            (Intervention::SupportedHousingExternal, 25),
            (Intervention::CaseManagement, 15),
            (Intervention::Outpatient, 20),
        ],
    );
    let application_id = ctx.applications.id();
    ctx.applications.rows.push(vec![
        application_id.into(),
        id.into(),
        case_id.into(),
        applied.as_str().into(),
        (*pick(rng, APPLICATION_TEXTS)).into(),
        intake.into(),
        created.into(),
    ]);
    let recommendation = chance(rng, 0.3).then(|| {
        let rid = ctx.recommendations.id();
        ctx.recommendations.rows.push(vec![
            rid.into(),
            id.into(),
            case_id.into(),
            Intervention::TreatmentHome.as_str().into(),
            "psychiatrist".into(),
            "Överläkare, beroendepsykiatrin".into(),
            (intake + Duration::days(3)).into(),
            format!("Utlåtande {rid}").into(),
            created.into(),
        ]);
        rid
    });
    let refuses_treatment_home = applied == Intervention::TreatmentHome && chance(rng, 0.25);
    let mut iv = if refuses_treatment_home {
        Intervention::Outpatient
    } else {
        applied
    };
    let mut start = intake + Duration::days(rng.random_range(7..30));
    let mut first_placement = None;
    let mut first = true;
    let mut well: i64 = rng.random_range(3..8);
    let mut last_relapse_contact = None;

    while start < today {
        let provider_index = provider_for(ctx, iv);
        let rng = &mut ctx.rng;
        let days = duration_days(iv, rng);
        let planned_end = start + Duration::days(days);
        let ongoing = planned_end >= today;
        let reason = (!ongoing).then(|| end_reason(iv, rng));
        let end = (!ongoing).then_some(planned_end);
        // The housing unit, if a training apartment or internal place is free.
        let mut housing_unit = None;
        let units = match iv {
            Intervention::TrainingApartment => Some(&mut ctx.apartments),
            Intervention::SupportedHousingInternal => Some(&mut ctx.internal_places),
            _ => None,
        };
        if let Some(units) = units {
            if let Some(u) = units.iter_mut().find(|(_, free)| *free <= start) {
                u.1 = end.unwrap_or(today + Duration::days(3650)) + Duration::days(1);
                housing_unit = Some(u.0);
            } else {
                iv = Intervention::CaseManagement;
            }
        }
        let provider_index = if housing_unit.is_none() && iv == Intervention::CaseManagement {
            0
        } else {
            provider_index
        };
        let price = price_at(ctx, provider_index, iv, start);
        let rng = &mut ctx.rng;
        let decision_id = ctx.decisions.id();
        let decided = start - Duration::days(rng.random_range(1..14));
        let (outcome, dep_app, dep_rec) = if first && refuses_treatment_home {
            (
                "partly_granted",
                Some("Utredningen visar att behoven kan mötas med strukturerad öppenvård på hemmaplan; behandlingshem prövas om öppenvården inte ger effekt inom tre månader."),
                recommendation.map(|_| "Psykiaterns utlåtande har beaktats. Nämnden bedömer att öppenvård i kombination med läkemedelsbehandling är tillräcklig i nuläget."),
            )
        } else {
            ("granted", None, None)
        };
        let provider_id = ctx.providers[provider_index].0;
        // A partial grant goes against the person: most were communicated by letter a week before
        // (half with the person's answer); every fifth has nothing recorded, as happens. Chosen by
        // the id, so the random stream (and the rest of the demo) is as without it.
        let communicated =
            (outcome != "granted" && decision_id % 5 != 0).then(|| decided - Duration::days(7));
        let response = (communicated.is_some() && decision_id % 2 == 0)
            .then_some("Jag vill till behandlingshem, som psykiatern skrev.");
        ctx.decisions.rows.push(vec![
            decision_id.into(),
            id.into(),
            case_id.into(),
            iv.as_str().into(),
            outcome.into(),
            start.into(),
            Value::from(end),
            provider_id.into(),
            "Behovet av stöd är utrett; insatsen bedöms ge skälig levnadsnivå.".into(),
            vaka_domain::decision::legal_basis_on(decided).into(),
            Value::from(first.then_some(application_id)),
            Value::from(if first { recommendation } else { None }),
            Value::from(dep_app),
            Value::from(dep_rec),
            dep_app.is_some().into(),
            dep_rec.is_some().into(),
            decided.into(),
            manager.into(),
            (decided + Duration::days(rng.random_range(0..4))).into(),
            at(decided, rng).into(),
            Value::from(communicated),
            Value::from(communicated.map(|_| "letter")),
            Value::from(response),
        ]);
        let placement_id = ctx.placements.id();
        ctx.placements.rows.push(vec![
            placement_id.into(),
            id.into(),
            case_id.into(),
            decision_id.into(),
            iv.as_str().into(),
            provider_id.into(),
            Value::from(housing_unit),
            start.into(),
            Value::from(end),
            price.into(),
            Value::from(reason),
            at(start, rng).into(),
        ]);
        // Cost per calendar year: days inclusive of both ends.
        let last = end.unwrap_or(today);
        let mut d = start;
        while d <= last {
            let year_end = NaiveDate::from_ymd_opt(d.year(), 12, 31).unwrap_or(last);
            let until = year_end.min(last);
            let days = (until - d).num_days() + 1;
            *ctx.cost_by_year.entry((d.year(), iv)).or_insert(0) += days * price;
            d = until + Duration::days(1);
        }
        if first {
            first_placement = Some((placement_id, start));
        }

        // Contacts through the placement; dense in the last year, sparse before.
        let rng = &mut ctx.rng;
        let mut day = start + Duration::days(rng.random_range(0..3));
        let stop = end.unwrap_or(today);
        let relapse_end = reason == Some("relapse");
        while day <= stop && day <= today {
            let recent = (today - day).num_days() <= 365;
            let kind = weighted(
                rng,
                &[
                    ("meeting", 35),
                    ("home_visit", 20),
                    ("phone", 30),
                    ("message", 8),
                    ("attempted", 5),
                    ("no_show", 2),
                ],
            );
            let reached = !matches!(kind, "attempted" | "no_show");
            let near_end = relapse_end && (stop - day).num_days() < 10;
            let usage = if !reached {
                "unknown"
            } else if near_end {
                weighted(rng, &[("relapse", 60), ("lapse", 30), ("none", 10)])
            } else {
                weighted(
                    rng,
                    &[
                        ("none", 915),
                        ("lapse", 45),
                        ("relapse", 15),
                        ("unknown", 25),
                    ],
                )
            };
            well = match usage {
                "relapse" => well - rng.random_range(2..5),
                "lapse" => well - rng.random_range(0..3),
                _ => well + rng.random_range(-1..2) + i64::from(well < 5),
            }
            .clamp(0, 10);
            let substances = match usage {
                "lapse" | "relapse" => *pick(
                    rng,
                    &[
                        "alcohol",
                        "alcohol",
                        "cannabis",
                        "amphetamine",
                        "alcohol,benzodiazepines",
                        "opioids",
                    ],
                ),
                _ => "",
            };
            let cid = ctx.contacts.id();
            let when = at(day, rng);
            let draft = day == today && chance(rng, 0.3);
            let risks = demo_risks(cid, reached, usage, substances, well);
            ctx.contacts.rows.push(vec![
                cid.into(),
                id.into(),
                case_id.into(),
                manager.into(),
                when.into(),
                kind.into(),
                usage.into(),
                substances.into(),
                Value::from(reached.then_some(well)),
                Value::from(reached.then_some(if well < 4 { "poor" } else { "good" })),
                housing_for(iv, rng).into(),
                Value::from(chance(rng, 0.5).then(|| *pick(rng, NOTES))),
                (if draft { "draft" } else { "signed" }).into(),
                Value::from((!draft).then_some(when)),
                when.into(),
                when.into(),
                risks.into(),
                Value::Null(SqlType::I64),
            ]);
            if usage == "relapse" && (today - day).num_days() <= 14 {
                last_relapse_contact = Some((cid, when));
            }
            // Now and then the person disputes a reported lapse or relapse. Chosen by the id, not
            // the random stream, so the rest of the demo is the same with or without them.
            if !draft && matches!(usage, "lapse" | "relapse") && cid % 9 == 0 {
                disputed.push((cid, day, manager));
            }
            day += Duration::days(contact_interval(iv, rng, recent));
        }

        first = false;
        let Some(reason) = reason else { break };
        match next_intervention(iv, reason, &mut ctx.rng) {
            Some(next) => {
                iv = next;
                start = planned_end + Duration::days(ctx.rng.random_range(1..45));
            }
            None => {
                if (today - planned_end).num_days() > 180 {
                    let closed = planned_end + Duration::days(30);
                    ctx.cases.rows[case_row][3] = "closed".into();
                    ctx.cases.rows[case_row][6] = closed.into();
                    ctx.cases.rows[case_row][7] = closure_reason(reason).into();
                    ctx.assignments.rows[assignment_row][3] = closed.into();
                }
                break;
            }
        }
    }

    // The client's contacts are written newest first, their ids still rising: the summary's
    // trigger then replaces the latest contact once per client instead of once per contact (and
    // moves the client in the unit head's index of who waits longest once). 100k clients on
    // SQLite, alternated: oldest first 64.0 and 55.4 s, newest first 56.5 and 44.1 s; newest first
    // with falling ids, 70 s (page splits in the contacts table). Nothing orders contacts by id alone.
    let contacts = &mut ctx.contacts.rows[contacts_from..];
    contacts.reverse();
    for (row, id) in contacts.iter_mut().zip(first_contact_id..) {
        row[0] = id.into();
    }
    let end = ctx.contacts.next_id;
    let last_relapse_contact =
        last_relapse_contact.map(|(cid, when)| (first_contact_id + end - 1 - cid, when));
    for (cid, day, manager) in disputed {
        let received = (day + Duration::days(3 + cid % 11)).min(ctx.today);
        let oid = ctx.objections.id();
        ctx.objections.rows.push(vec![
            oid.into(),
            id.into(),
            (first_contact_id + end - 1 - cid).into(),
            OBJECTIONS[usize::try_from(cid).unwrap_or_default() % OBJECTIONS.len()].into(),
            received.into(),
            manager.into(),
            // A copy of the generator: the stream the rest of the demo draws from is not advanced.
            at(received, &mut ctx.rng.clone()).into(),
        ]);
    }

    if ctx.cases.rows[case_row][3] == Value::from("open") {
        let goals = plan(ctx, id, case_id, manager, intake);
        link_goals(&mut ctx.contacts.rows[contacts_from..], case_id, &goals);
        shared(ctx, (id, case_id), unit_index, manager, intake);
        waiting_application(ctx, id, case_id);
    }

    // Screening at intake.
    let rng = &mut ctx.rng;
    let heavy = chance(rng, 0.6);
    for (instrument, items) in [("AUDIT", 10), ("DUDIT", 11)] {
        let heavy_here = heavy && chance(rng, 0.7);
        let answers = scores(rng, items, heavy_here);
        let instrument_kind: Instrument = instrument.parse().unwrap_or(Instrument::Audit);
        let sex = if male || index == 0 {
            Sex::Male
        } else {
            Sex::Female
        };
        let score = assessment::scoring::score(
            instrument_kind,
            &answers,
            Respondent::new(sex, birth, intake),
            &CutoffProfile::default(),
        );
        let text = answers
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let aid = ctx.assessments.id();
        ctx.assessments.rows.push(vec![
            aid.into(),
            id.into(),
            instrument.into(),
            text.into(),
            i64::from(score.total).into(),
            intake.into(),
            manager.into(),
            created.into(),
            Value::from(score.audit_c.map(i64::from)),
            score.zone.as_str().into(),
            i64::from(score.cutoff).into(),
            score.cutoff_basis.as_str().into(),
            score.above_cutoff.into(),
            score.profile.as_str().into(),
        ]);
    }

    // Outcome follow-ups at intake, 6 and 12 months after the first placement starts.
    if let Some((pid, pstart)) = first_placement {
        for (timepoint, due) in followup::schedule(pstart) {
            let timepoint = timepoint.as_str();
            if due > today + Duration::days(30) {
                continue;
            }
            let fid = ctx.follow_ups.id();
            let rng = &mut ctx.rng;
            let mut row: Vec<Value> = vec![
                fid.into(),
                id.into(),
                pid.into(),
                timepoint.into(),
                due.into(),
            ];
            if due > today - Duration::days(20) {
                row.extend([
                    Value::from("due"),
                    Value::Null(SqlType::Date),
                    Value::Null(SqlType::Text),
                ]);
                row.extend(unmeasured());
            } else if chance(rng, 0.3) {
                let why = weighted(
                    rng,
                    &[
                        ("not_reached", 50),
                        ("declined", 25),
                        ("moved", 15),
                        ("died", 3),
                        ("other", 7),
                    ],
                );
                row.extend([
                    Value::from("missed"),
                    Value::Null(SqlType::Date),
                    why.into(),
                ]);
                row.extend(unmeasured());
            } else {
                let sober = chance(rng, 0.55);
                row.extend([
                    Value::from("done"),
                    (due + Duration::days(rng.random_range(0..21))).into(),
                    Value::Null(SqlType::Text),
                    Value::I64(if sober { 0 } else { rng.random_range(1..30) }),
                    Value::I64(if sober { 0 } else { rng.random_range(0..15) }),
                    (*pick(
                        rng,
                        &[
                            "own",
                            "own",
                            "training_apartment",
                            "supported_housing",
                            "homeless",
                        ],
                    ))
                    .into(),
                    (*pick(rng, &["work", "studies", "activity", "none", "none"])).into(),
                    chance(rng, 0.1).into(),
                    Value::I64(rng.random_range(1..6)),
                    Value::I64(rng.random_range(2..10)),
                    Value::from(!sober),
                    asi_ratings(rng, sober).into(),
                ]);
            }
            row.push(at(due.min(today), rng).into());
            ctx.follow_ups.rows.push(row);
        }
    }

    // An open alert for a relapse reported in the last two weeks; one nobody acknowledged by the
    // day after is escalated to the unit head, as the scheduled check would have done.
    if let Some((cid, when)) = last_relapse_contact {
        let escalated = vaka_domain::time::local_date(when) < today - Duration::days(1);
        let aid = ctx.alerts.id();
        ctx.alerts.rows.push(vec![
            aid.into(),
            id.into(),
            "relapse_reported".into(),
            "high".into(),
            format!(
                "Återfall rapporterat i kontakt {cid} den {}.",
                vaka_domain::time::local_minute(when)
            )
            .into(),
            format!("relapse_reported:contact:{cid}").into(),
            "open".into(),
            manager.into(),
            when.into(),
            Value::from(escalated),
        ]);
    }
}

/// The outcome columns of a follow-up that was not done.
fn unmeasured() -> Vec<Value> {
    use SqlType::*;
    let mut v: Vec<Value> = [I64, I64, Text, Text, Bool, I64, I64, Bool]
        .map(Value::Null)
        .into_iter()
        .collect();
    v.push("{}".into());
    v
}

/// Interviewer severity ratings 0–9 for the seven ASI areas; lower when the person is sober.
fn asi_ratings(rng: &mut ChaCha8Rng, sober: bool) -> String {
    let areas = AsiArea::ALL
        .iter()
        .map(|a| {
            let hi = match a {
                AsiArea::Alcohol | AsiArea::Drugs if !sober => 9,
                _ if sober => 5,
                _ => 8,
            };
            format!("\"{a}\":{}", rng.random_range(0..=hi))
        })
        .collect::<Vec<_>>()
        .join(",");
    format!("{{{areas}}}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_organisation_numbers_pass_the_check_digit() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..100 {
            let n = org_number(&mut rng);
            assert!(
                vaka_domain::organisation_number::OrganisationNumber::parse("o", &n).is_ok(),
                "{n}"
            );
        }
    }

    #[test]
    fn screening_answers_are_valid_item_scores() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for heavy in [false, true] {
            for _ in 0..200 {
                let a = scores(&mut rng, 10, heavy);
                assert!(a[..8].iter().all(|&x| x <= 4), "{a:?}");
                assert!(a[8..].iter().all(|x| [0, 2, 4].contains(x)), "{a:?}");
            }
        }
    }
}
