-- Demo airline database for the Aurora Air reference assistant.
-- Times are local wall-clock ISO strings (YYYY-MM-DDTHH:MM:SS), dates YYYY-MM-DD.
-- Money is stored in minor units (pence) to avoid rounding drift.

CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS flights (
    id                  INTEGER PRIMARY KEY,
    flight_number       TEXT    NOT NULL,
    date                TEXT    NOT NULL,
    origin              TEXT    NOT NULL,
    destination         TEXT    NOT NULL,
    scheduled_departure TEXT    NOT NULL,
    scheduled_arrival   TEXT    NOT NULL,
    status              TEXT    NOT NULL CHECK (status IN
        ('scheduled', 'on_time', 'delayed', 'boarding', 'departed', 'landed', 'cancelled')),
    delay_minutes       INTEGER NOT NULL DEFAULT 0,
    gate                TEXT,
    terminal            TEXT,
    estimated_departure TEXT,
    UNIQUE (flight_number, date)
);

CREATE TABLE IF NOT EXISTS bookings (
    reference        TEXT PRIMARY KEY CHECK (length(reference) = 6),
    contact_email    TEXT    NOT NULL,
    fare_class       TEXT    NOT NULL CHECK (fare_class IN ('light', 'standard', 'flex')),
    total_paid_minor INTEGER NOT NULL CHECK (total_paid_minor >= 0),
    taxes_minor      INTEGER NOT NULL CHECK (taxes_minor >= 0),
    currency         TEXT    NOT NULL DEFAULT 'GBP',
    status           TEXT    NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
    booked_at        TEXT    NOT NULL
);

CREATE TABLE IF NOT EXISTS booking_flights (
    booking_reference TEXT    NOT NULL REFERENCES bookings (reference),
    segment           INTEGER NOT NULL,
    flight_id         INTEGER NOT NULL REFERENCES flights (id),
    PRIMARY KEY (booking_reference, segment)
);

CREATE TABLE IF NOT EXISTS passengers (
    id                INTEGER PRIMARY KEY,
    booking_reference TEXT    NOT NULL REFERENCES bookings (reference),
    position          INTEGER NOT NULL,
    first_name        TEXT    NOT NULL,
    last_name         TEXT    NOT NULL,
    checked_bags      INTEGER NOT NULL DEFAULT 0 CHECK (checked_bags >= 0),
    UNIQUE (booking_reference, position)
);

-- One row per passenger and booked segment: the seat (NULL = not assigned) and check-in.
CREATE TABLE IF NOT EXISTS passenger_segments (
    passenger_id INTEGER NOT NULL REFERENCES passengers (id),
    segment      INTEGER NOT NULL,
    flight_id    INTEGER NOT NULL REFERENCES flights (id),
    seat         TEXT,
    checked_in   INTEGER NOT NULL DEFAULT 0 CHECK (checked_in IN (0, 1)),
    PRIMARY KEY (passenger_id, segment)
);

-- A seat is held by at most one passenger per flight (NULL seats are not compared).
CREATE UNIQUE INDEX IF NOT EXISTS passenger_segments_seat
    ON passenger_segments (flight_id, seat);

CREATE TABLE IF NOT EXISTS refunds (
    refund_id         TEXT PRIMARY KEY,
    booking_reference TEXT    NOT NULL REFERENCES bookings (reference),
    amount_minor      INTEGER NOT NULL CHECK (amount_minor >= 0),
    currency          TEXT    NOT NULL DEFAULT 'GBP',
    status            TEXT    NOT NULL CHECK (status IN ('requested', 'approved', 'paid', 'rejected')),
    requested_on      TEXT    NOT NULL,
    expected_by       TEXT
);

CREATE INDEX IF NOT EXISTS refunds_booking ON refunds (booking_reference);

CREATE TABLE IF NOT EXISTS bag_files (
    file_reference TEXT PRIMARY KEY,
    last_name      TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN
        ('searching', 'located', 'on_its_way', 'delivered', 'closed')),
    description    TEXT NOT NULL,
    last_seen      TEXT,
    updated_at     TEXT,
    delivery_eta   TEXT
);

CREATE TABLE IF NOT EXISTS loyalty_accounts (
    member_number TEXT PRIMARY KEY CHECK (length(member_number) = 9),
    first_name    TEXT    NOT NULL,
    last_name     TEXT    NOT NULL,
    tier          TEXT    NOT NULL CHECK (tier IN ('blue', 'silver', 'gold', 'platinum')),
    miles         INTEGER NOT NULL CHECK (miles >= 0),
    tier_points   INTEGER NOT NULL CHECK (tier_points >= 0),
    email         TEXT    NOT NULL DEFAULT ''
);
