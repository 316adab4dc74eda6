//! The decision letter (beslutsmeddelande): what a decision says to the person, in Swedish, with the
//! reasons and how to appeal (FL 32–33 §§). Rendered as printable HTML and as PDF from these parts.

use crate::decision::{Decision, DecisionOutcome, appeal_deadline};

/// Who the letter is to and from. With protected personal data no address is printed: the letter
/// must be sent through Skatteverket's forwarding, and says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterParties {
    pub client_name: String,
    pub personal_number: String,
    pub address: Option<String>,
    pub protected: bool,
    pub municipality: String,
    pub decided_by: String,
    pub provider: Option<String>,
    /// What the person applied for, when the decision answers an application.
    pub applied_for: Option<crate::intervention::Intervention>,
}

/// The letter, as headed sections of plain paragraphs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Letter {
    pub title: String,
    pub reference: String,
    pub date: String,
    pub recipient: Vec<String>,
    pub sections: Vec<(String, Vec<String>)>,
    /// Printed above everything when the letter must not be posted directly.
    pub warning: Option<String>,
}

/// Composes the letter of `d`.
pub fn compose(d: &Decision, p: &LetterParties) -> Letter {
    let intervention = d.intervention.in_sentence();
    let outcome = match d.outcome {
        DecisionOutcome::Granted => "beviljas",
        DecisionOutcome::PartlyGranted => "beviljas delvis",
        DecisionOutcome::Refused => "avslås",
    };
    // Name what was applied for; when something else is granted, say so plainly.
    let first = match p.applied_for.filter(|a| *a != d.intervention) {
        None => format!("Din ansökan om {intervention} {outcome}."),
        Some(a) => {
            let asked = a.in_sentence();
            match d.outcome {
                DecisionOutcome::Refused => format!("Din ansökan om {asked} avslås."),
                DecisionOutcome::Granted => format!(
                    "Du har ansökt om {asked}. Socialnämnden beviljar dig i stället {intervention}."
                ),
                DecisionOutcome::PartlyGranted => format!(
                    "Du har ansökt om {asked}. Socialnämnden beviljar din ansökan delvis, i form av {intervention}."
                ),
            }
        }
    };
    let mut decision = vec![first];
    match (d.period_start, d.period_end) {
        (Some(s), Some(e)) => decision.push(format!("Beslutet gäller från {s} till och med {e}.")),
        (Some(s), None) => decision.push(format!("Beslutet gäller från {s}.")),
        _ => {}
    }
    if let Some(provider) = &p.provider {
        decision.push(format!("Insatsen verkställs av {provider}."));
    }
    let mut reasons = vec![d.reasons.clone()];
    if let Some(j) = &d.departure_from_application {
        reasons.push(format!("Varför beslutet skiljer sig från din ansökan: {j}"));
    }
    if let Some(j) = &d.departure_from_recommendation {
        reasons.push(format!(
            "Varför beslutet skiljer sig från den rekommendation som lämnats: {j}"
        ));
    }
    reasons.push(format!("Beslutet är fattat med stöd av {}.", d.legal_basis));
    let deadline = match d.notified_on {
        Some(n) => format!(
            "Du fick del av beslutet den {n}. Ditt överklagande ska därför ha kommit in senast den {}.",
            appeal_deadline(n)
        ),
        None => {
            "Räkna tre veckor från den dag du fick del av beslutet. Infaller den sista dagen på en \
                 lördag, söndag eller helgdag räcker det att överklagandet kommer in nästa vardag."
                .to_owned()
        }
    };
    let appeal = vec![
        "Om du inte är nöjd med beslutet kan du överklaga det till förvaltningsrätten.".to_owned(),
        format!(
            "Skriv till socialnämnden i {} och tala om vilket beslut du överklagar (ange beslutets datum och nummer), \
             hur du vill att beslutet ska ändras och varför. Skriv under med ditt namn, personnummer, adress och telefonnummer.",
            p.municipality
        ),
        "Överklagandet ska ha kommit in till socialnämnden inom tre veckor från den dag du fick del av beslutet (förvaltningslagen 44 §). \
         Socialnämnden prövar om det har kommit in i tid och skickar det sedan vidare till förvaltningsrätten."
            .to_owned(),
        deadline,
        "Om du behöver hjälp att överklaga kan du vända dig till din handläggare.".to_owned(),
    ];
    let mut recipient = vec![p.client_name.clone(), p.personal_number.clone()];
    let warning = if p.protected {
        Some(
            "Skyddade personuppgifter: adressen skrivs inte ut. Skicka brevet via Skatteverkets förmedling."
                .to_owned(),
        )
    } else {
        recipient.extend(p.address.clone());
        None
    };
    Letter {
        title: format!("Beslut om {}", intervention),
        reference: format!("Beslut nr {}", d.id.0),
        date: d.decided_on.to_string(),
        recipient,
        sections: vec![
            ("Beslut".to_owned(), decision),
            ("Skäl för beslutet".to_owned(), reasons),
            ("Hur du överklagar".to_owned(), appeal),
            (
                "Beslutsfattare".to_owned(),
                vec![format!(
                    "{}, socialnämnden i {} (på delegation)",
                    p.decided_by, p.municipality
                )],
            ),
        ],
        warning,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::AppealOutcome;
    use crate::ids::{ClientId, DecisionId, UserId};
    use crate::intervention::Intervention;

    fn decision() -> Decision {
        Decision {
            id: DecisionId(42),
            client_id: ClientId(1),
            case_id: None,
            intervention: Intervention::TreatmentHome,
            outcome: DecisionOutcome::Refused,
            period_start: None,
            period_end: None,
            provider_id: None,
            reasons: "Behovet kan mötas med öppenvård och boendestöd.".into(),
            legal_basis: "11 kap. 1 § socialtjänstlagen (2025:400)".into(),
            application_id: None,
            recommendation_id: None,
            departs_from_application: true,
            departs_from_recommendation: true,
            departure_from_application: Some("Öppenvård finns nära hemmet.".into()),
            departure_from_recommendation: Some(
                "Psykiaterns behandlingsbehov möts i öppenvården.".into(),
            ),
            decided_on: "2026-11-20".parse().unwrap(),
            decided_by: UserId(1),
            notified_on: Some("2026-12-03".parse().unwrap()),
            appeal_received_on: None,
            appeal_outcome: None::<AppealOutcome>,
            appeal_decided_on: None,
            communication: None,
            created_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    fn parties(protected: bool) -> LetterParties {
        LetterParties {
            client_name: "Anna Andersson".into(),
            personal_number: "19121212-1212".into(),
            address: Some("Storgatan 1, 111 11 Staden".into()),
            protected,
            municipality: "Demo kommun".into(),
            decided_by: "Eva Enhetschef".into(),
            provider: None,
            applied_for: Some(Intervention::TreatmentHome),
        }
    }

    #[test]
    fn a_decision_for_something_else_than_was_asked_names_both() {
        let mut d = decision();
        d.intervention = Intervention::Outpatient;
        d.outcome = DecisionOutcome::Granted;
        let l = compose(&d, &parties(false));
        let first = &l.sections[0].1[0];
        assert_eq!(
            first,
            "Du har ansökt om behandlingshem (HVB). Socialnämnden beviljar dig i stället öppenvård."
        );
        d.outcome = DecisionOutcome::PartlyGranted;
        assert!(
            compose(&d, &parties(false)).sections[0].1[0].contains("delvis, i form av öppenvård")
        );
        d.outcome = DecisionOutcome::Refused;
        assert_eq!(
            compose(&d, &parties(false)).sections[0].1[0],
            "Din ansökan om behandlingshem (HVB) avslås."
        );
        // Without an application the decision speaks of what it decides.
        let mut p = parties(false);
        p.applied_for = None;
        assert_eq!(
            compose(&d, &p).sections[0].1[0],
            "Din ansökan om öppenvård avslås."
        );
    }

    #[test]
    fn the_letter_states_decision_reasons_departures_and_deadline() {
        let l = compose(&decision(), &parties(false));
        assert_eq!(l.title, "Beslut om behandlingshem (HVB)");
        let text: String = l
            .sections
            .iter()
            .flat_map(|(h, ps)| std::iter::once(h.clone()).chain(ps.clone()))
            .collect::<Vec<_>>()
            .join("\n");
        for needle in [
            "Din ansökan om behandlingshem (HVB) avslås.",
            "Behovet kan mötas med öppenvård",
            "skiljer sig från din ansökan: Öppenvård finns nära hemmet.",
            "skiljer sig från den rekommendation",
            "11 kap. 1 § socialtjänstlagen (2025:400)",
            "förvaltningsrätten",
            "senast den 2026-12-28",
        ] {
            assert!(text.contains(needle), "{needle} in {text}");
        }
        assert!(l.recipient.iter().any(|r| r.contains("Storgatan")));
        assert_eq!(l.warning, None);
        assert_eq!(l.date, "2026-11-20");
    }

    #[test]
    fn a_protected_address_is_never_printed() {
        let l = compose(&decision(), &parties(true));
        assert!(!l.recipient.iter().any(|r| r.contains("Storgatan")));
        assert!(
            l.warning
                .as_deref()
                .is_some_and(|w| w.contains("Skatteverkets"))
        );
    }
}
