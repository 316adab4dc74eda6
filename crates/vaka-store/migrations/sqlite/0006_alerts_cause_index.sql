-- A cause raises at most one alert, ever: look causes up quickly whatever their status.
CREATE INDEX alerts_cause ON alerts(cause_key);
