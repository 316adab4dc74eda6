//! The case's plan: goals and follow-ups read back with their names, the goals the alert rule
//! sees, the due alert resolved by the follow-up, and the purge.

use chrono::NaiveDate;
use vaka_domain::alert::schedule;
use vaka_domain::alert::settings::AlertSettings;
use vaka_domain::case::{CaseOrigin, Closure, ClosureReason};
use vaka_domain::plan::{GoalStatus, LifeArea, NewGoal, NewReview};
use vaka_store::{alerts, both, cases, plans, retention};

use crate::{add_client, seed};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn goal(area: LifeArea, text: &str, follow_up_on: &str) -> NewGoal {
    NewGoal {
        life_area: area,
        goal: text.into(),
        actions: Some("Vi ringer hyresvärden tillsammans.".into()),
        follow_up_on: day(follow_up_on),
    }
}

async fn open_on(
    tx: &mut vaka_store::Tx,
    m: vaka_domain::ids::MunicipalityId,
    day: NaiveDate,
) -> Vec<vaka_domain::stats::goals::OpenCase> {
    vaka_store::measures::open_cases_on(tx, m, day)
        .await
        .unwrap()
}

both!(
    a_plan_reads_back_with_its_follow_ups_and_due_goals,
    |db| async move {
        let s = seed(&db.store).await;
        let client = add_client(&db.store, &s, "19121212-1212").await;
        let mut tx = db.store.begin().await.unwrap();
        let case_id = cases::open(
            &mut tx,
            client,
            s.unit,
            day("2026-10-01"),
            CaseOrigin::Application,
            &[s.manager],
        )
        .await
        .unwrap();
        let case = cases::get(&mut tx, case_id).await.unwrap().unwrap();
        let housing = plans::insert_goal(
            &mut tx,
            &case,
            s.manager,
            &goal(LifeArea::Housing, "Eget kontrakt", "2026-11-01"),
        )
        .await
        .unwrap();
        let work = plans::insert_goal(
            &mut tx,
            &case,
            s.manager,
            &goal(
                LifeArea::Occupation,
                "Praktik två dagar i veckan",
                "2027-02-01",
            ),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        // Both goals are ongoing; the housing goal is due on its first day.
        let mut tx = db.store.begin().await.unwrap();
        let facts = plans::due_facts(&mut tx, client).await.unwrap();
        assert_eq!(
            facts
                .iter()
                .map(|f| (f.id, f.life_area, f.due_on))
                .collect::<Vec<_>>(),
            [
                (housing.0, LifeArea::Housing, day("2026-11-01")),
                (work.0, LifeArea::Occupation, day("2027-02-01"))
            ]
        );
        // The rule raises the housing goal's alert on 2026-11-02 (and not the other's).
        let candidates = schedule::evaluate(
            &[],
            &[],
            &facts,
            day("2026-11-02"),
            &AlertSettings::default(),
        );
        assert_eq!(candidates.len(), 1);
        assert!(
            alerts::raise(&mut tx, client, &candidates[0], Some(s.manager))
                .await
                .unwrap()
        );
        // A follow-up keeps it going to a new day and resolves the alert of the day it was due.
        let before = plans::goal(&mut tx, housing).await.unwrap().unwrap();
        plans::insert_review(
            &mut tx,
            &before.goal,
            s.manager,
            &NewReview {
                status: GoalStatus::Ongoing,
                reviewed_on: day("2026-11-03"),
                note: Some("Visning bokad.".into()),
                next_follow_up_on: Some(day("2027-01-15")),
            },
        )
        .await
        .unwrap();
        let open = alerts::for_client(&mut tx, client, None).await.unwrap();
        assert!(
            open.iter()
                .all(|a| a.status == vaka_domain::alert::AlertStatus::Resolved),
            "{open:?}"
        );
        // Finishing the work goal takes it out of the rule's sight.
        let work_goal = plans::goal(&mut tx, work).await.unwrap().unwrap();
        plans::insert_review(
            &mut tx,
            &work_goal.goal,
            s.manager,
            &NewReview {
                status: GoalStatus::Dropped,
                reviewed_on: day("2026-11-03"),
                note: Some("Vill hellre studera.".into()),
                next_follow_up_on: None,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        // A second follow-up ending the same goal (one that read the goal before the first was
        // saved) is refused by the database itself.
        let mut tx = db.store.begin().await.unwrap();
        let late = plans::insert_review(
            &mut tx,
            &work_goal.goal,
            s.manager,
            &NewReview {
                status: GoalStatus::Reached,
                reviewed_on: day("2026-11-03"),
                note: None,
                next_follow_up_on: None,
            },
        )
        .await;
        assert!(
            matches!(late, Err(vaka_store::StoreError::Conflict("goal_finished"))),
            "{late:?}"
        );
        drop(tx);

        let mut tx = db.store.begin().await.unwrap();
        let plan = plans::for_case(&mut tx, case_id).await.unwrap();
        assert_eq!(plan.len(), 2);
        let h = &plan[0];
        assert_eq!(
            (
                h.goal.id,
                h.goal.goal.as_str(),
                h.goal.case_id,
                h.goal.client_id
            ),
            (housing, "Eget kontrakt", case_id, client)
        );
        assert_eq!(
            h.goal.actions.as_deref(),
            Some("Vi ringer hyresvärden tillsammans.")
        );
        assert_eq!(h.written_by, ("cm".to_owned(), "Case Manager".to_owned()));
        assert_eq!(h.goal.reviews.len(), 1);
        assert_eq!(h.reviewed_by.len(), 1);
        assert_eq!(
            (h.goal.status(), h.goal.due_on()),
            (GoalStatus::Ongoing, Some(day("2027-01-15")))
        );
        assert_eq!(h.goal.reviews[0].note.as_deref(), Some("Visning bokad."));
        assert_eq!(
            (plan[1].goal.status(), plan[1].goal.due_on()),
            (GoalStatus::Dropped, None)
        );
        let facts = plans::due_facts(&mut tx, client).await.unwrap();
        assert_eq!(
            facts.iter().map(|f| (f.id, f.due_on)).collect::<Vec<_>>(),
            [(housing.0, day("2027-01-15"))]
        );
        // The journal form offers the ongoing goal, and the dropped one only to an entry that
        // names it already; entries that name a goal are counted per goal.
        let offered: Vec<_> = plans::choices(&mut tx, client, None)
            .await
            .unwrap()
            .into_iter()
            .map(|g| (g.id, g.life_area, g.goal))
            .collect();
        assert_eq!(
            offered,
            [(housing, LifeArea::Housing, "Eget kontrakt".to_owned())]
        );
        let kept = plans::choices(&mut tx, client, Some(work)).await.unwrap();
        assert_eq!(
            kept.iter().map(|g| g.id).collect::<Vec<_>>(),
            [housing, work]
        );
        let entry = |goal, signed| vaka_domain::contact::NewContact {
            occurred_at: chrono::Utc::now() - chrono::Duration::hours(1),
            kind: vaka_domain::contact::ContactKind::Meeting,
            substance_use: vaka_domain::contact::SubstanceUse::None,
            substances: Vec::new(),
            risks: Vec::new(),
            well_being: None,
            sleep: None,
            housing: vaka_domain::contact::Housing::Own,
            note: Some("Visning av lägenhet.".into()),
            signed,
            corrects: None,
            plan_goal: Some(goal),
        };
        for signed in [true, true, false] {
            let id = vaka_store::contacts::insert(
                &mut tx,
                client,
                Some(case_id),
                s.manager,
                &entry(housing, signed),
            )
            .await
            .unwrap();
            let back = vaka_store::contacts::get(&mut tx, id)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(back.plan_goal, Some(housing));
        }
        let used = plans::journal_use(&mut tx, case_id).await.unwrap();
        assert_eq!(used.len(), 1);
        assert_eq!(used[&housing].0, 2, "drafts are not counted");
        // The committee's count of open cases with a plan: by the day, and only once the goal
        // was written.
        let today = chrono::Utc::now().date_naive();
        let m = s.municipality;
        let now = open_on(&mut tx, m, today).await;
        assert_eq!(now.len(), 1);
        assert!(now[0].has_plan);
        assert_eq!(now[0].client, client.0);
        let before = open_on(&mut tx, m, day("2026-10-15")).await;
        assert!(!before[0].has_plan, "no goal written yet then");
        let early = open_on(&mut tx, m, day("2026-09-30")).await;
        assert!(early.is_empty(), "not yet opened");
        // A closed case's goals alert no more.
        let closure = Closure {
            closed_on: day("2026-12-01"),
            reason: ClosureReason::GoalsMet,
            note: None,
        };
        assert!(cases::close(&mut tx, case_id, &closure).await.unwrap());
        assert!(plans::due_facts(&mut tx, client).await.unwrap().is_empty());
        assert_eq!(open_on(&mut tx, m, day("2026-11-30")).await.len(), 1);
        let closed = open_on(&mut tx, m, day("2026-12-01")).await;
        assert!(closed.is_empty(), "closed that day");
        tx.commit().await.unwrap();

        // The plan is part of the personal file and goes with it.
        let mut tx = db.store.begin().await.unwrap();
        let rows = retention::person_rows(&mut tx, client).await.unwrap();
        let count = |t: &str| rows.iter().find(|(n, _)| *n == t).map(|(_, r)| r.len());
        assert_eq!(
            (count("plan_goals"), count("plan_goal_reviews")),
            (Some(2), Some(2))
        );
        retention::remove(&mut tx, client).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = db.store.begin().await.unwrap();
        assert!(plans::goal(&mut tx, housing).await.unwrap().is_none());
    }
);
