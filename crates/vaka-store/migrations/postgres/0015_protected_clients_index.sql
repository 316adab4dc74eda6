-- The clients with protected personal data (skyddade personuppgifter) are few. The access-log
-- review reads them once per search and checks each entry and list view against that set
-- (audit::search); without this index that read scans every client.
CREATE INDEX clients_protected ON clients (id) WHERE protection <> 'none';
