-- The clients with protected personal data (skyddade personuppgifter) are few. The access-log
-- review reads them once per search and checks each entry and list view against that set
-- (audit::search); without this index that read scans every client.
CREATE INDEX clients_protected ON clients (id) WHERE protection <> 'none';

-- The unit's decision list (GET /api/v1/decisions, the decision page's list) shows the newest
-- decisions first: walking this index backwards stops after the first page instead of joining and
-- sorting every decision of the unit (208 ms -> 6 ms at 223k decisions on PostgreSQL).
CREATE INDEX decisions_decided ON decisions (decided_on, id);

-- The relapses behind the committee report and the analysts' measures (measures::relapses) are a
-- small part of the journal: without this index SQLite walked all of it per report (64 s at 10 M
-- contacts, past the request timeout).
CREATE INDEX contacts_relapses ON contacts (client_id, occurred_at)
    WHERE status = 'signed' AND substance_use = 'relapse';
