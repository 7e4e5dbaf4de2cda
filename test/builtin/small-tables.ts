/**
 * Small reference tables like the ones people paste from encyclopedias (issue 13): one row per entity, in a
 * meaningful order (ranks, seasons, releases), a rank or year column, a trailing "Total" row. Written for the tests,
 * with made-up names: never copied from an evaluation set.
 */
import type { ColumnType } from '../../src/data/catalog-types.js';
import type { TableSpec } from './fixtures.js';

type Cell = string | number | null;

/**
 * A table from its header line: "Rank:integer, Athlete, Time" — each label with its type (text when omitted); the
 * column names follow the naming contract's snake_case.
 */
function table(name: string, header: string, rows: Cell[][]): TableSpec {
  const columns = header.split(',').map((part) => {
    const [label, type] = part.trim().split(':') as [string, ColumnType | undefined];
    const column = label
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_|_$/g, '');
    return { name: column, label, type: type ?? 'text' };
  });
  return { name, label: `${name}.csv`, columns, rows };
}

/** A race: finishing order is the file order; Rank is an ordinal, Time is text. */
export const raceSpec = (): TableSpec =>
  table('race', 'Rank:integer, Athlete, Country, Time, Age:integer', [
    [1, 'Lena Marsh', 'Kenya', '2:01.45', 31],
    [2, 'Ada Olsen', 'Norway', '2:01.90', 27],
    [3, 'Mira Duval', 'France', '2:02.13', 24],
    [4, 'Tess Okafor', 'Kenya', '2:02.80', 29],
    [5, 'Ines Lobo', 'Portugal', '2:03.05', 22],
    [6, 'Kara Voss', 'Norway', '2:03.61', 35],
    [7, 'Nora Pell', 'France', '2:04.02', 26],
    [8, 'Zoe Brandt', 'Germany', '2:05.77', 30],
  ]);

/** A medal table ending with a "Total" row, as published. */
export const medalSpec = (): TableSpec =>
  table('medals', 'Rank:integer, Nation, Gold:integer, Silver:integer, Bronze:integer, Total:integer', [
    [1, 'Atlantis', 9, 4, 2, 15],
    [2, 'Borduria', 5, 6, 3, 14],
    [3, 'Carpania', 3, 3, 8, 14],
    [4, 'Dravonia', 2, 5, 1, 8],
    [5, 'Elbonia', 1, 0, 4, 5],
    [6, 'Freedonia', 0, 2, 2, 4],
    [null, 'Total', 20, 20, 20, 60],
  ]);

/** A club's seasons, in time order: Year is an integer identifier, not an amount. */
export const seasonsSpec = (): TableSpec =>
  table('seasons', 'Year:integer, Division, League, Regular Season, Playoffs, Attendance:integer', [
    [2001, 'Second', 'Lakeside', '4th', 'Did not qualify', 3200],
    [2002, 'Second', 'Lakeside', '1st', 'Semifinal', 4100],
    [2003, 'First', 'Premier', '6th', 'Did not qualify', 5900],
    [2004, 'First', 'Premier', '2nd', 'Final', 7200],
    [2005, 'First', 'Premier', '1st', 'Champions', 8800],
    [2006, 'First', 'Premier', '3rd', 'Quarterfinal', 8100],
    [2007, 'Second', 'Lakeside', '2nd', 'Semifinal', 4700],
  ]);

/** A draft: Pick is an ordinal, in file order; the question's "first"/"last" follow it. */
export const draftSpec = (): TableSpec =>
  table('draft', 'Round:integer, Pick:integer, Player, Position, School', [
    [1, 3, 'Owen Hale', 'Quarterback', 'Riverside'],
    [1, 9, 'Luis Brandt', 'Guard', 'Lakeview'],
    [2, 17, 'Sam Ortega', 'Linebacker', 'Hillcrest'],
    [3, 30, 'Dev Patel', 'Tight end', 'Riverside'],
    [4, 41, 'Ray Monroe', 'Safety', 'Northfield'],
  ]);

/**
 * A season's schedule pasted as "Sheet1": results recorded as "W 21–14" / "L 10–17", a bye week, places as "City,
 * Country". The generic name leaves the question to say what a row is ("games").
 */
export const scheduleSpec = (): TableSpec =>
  table('sheet1', 'Week:integer, Date, Opponent, Result, Venue', [
    [1, 'September 6', 'Harbor Hawks', 'W 21–14', 'Portmouth, Canada'],
    [2, 'September 13', 'Valley Rams', 'L 10–17', 'Dunmore, Ireland'],
    [3, 'September 20', 'Bye', null, null],
    [4, 'September 27', 'Coast Owls', 'W 28–3', 'Portmouth, Canada'],
    [5, 'October 4', 'Ridge Bears', 'L 7–24', 'Kelby, Scotland'],
    [6, 'October 11', 'Bay Otters', 'W 14–13', 'Dunmore, Ireland'],
  ]);

/**
 * Hosts of a tournament, pasted under a generic name: places written "City, Country", a footnote mark, and the same
 * club in two columns.
 */
export const hostsSpec = (): TableSpec =>
  table('table_3', 'Year:integer, Venue, Winner, Runner-up', [
    [2010, 'Lyon, France', 'Red Falcons', 'Blue Sharks'],
    [2011, 'Austin, United States', 'Blue Sharks', 'Green Owls'],
    [2012, 'Porto, Portugal', 'Green Owls[1]', 'Red Falcons'],
    [2013, 'Denver, United States', 'Red Falcons', 'Gold Bears'],
    [2014, 'Nice, France', 'Gold Bears', 'All'],
  ]);

/** Office holders: "Took office" holds dates (no names), a peak shared by two countries, a Career row. */
export const officeSpec = (): TableSpec =>
  table('table_7', 'Name, Took office, Left office, Country, Terms:integer', [
    ['Amos Reed', 'March 4, 1803', 'March 3, 1807', 'France', 2],
    ['Bela Ortiz', 'March 4, 1807', 'March 3, 1811', 'France/ Italy', 1],
    ['Cyra Lund', 'March 4, 1811', 'March 3, 1815', 'Italy', 3],
    ['Dov Hale', 'March 4, 1815', 'March 3, 1819', 'Italy', 1],
    ['Career', null, null, null, 7],
  ]);

/** A league table: two goal columns told apart by their verb, nations written "Name (CODE)" in English. */
export const leagueSpec = (): TableSpec =>
  table(
    'table_9',
    'Position:integer, Team, Played:integer, Goals scored:integer, Goals conceded:integer, Points:integer',
    [
      [1, 'Germany (GER)', 6, 14, 3, 16],
      [2, 'Spain (ESP)', 6, 11, 5, 13],
      [3, 'Brazil (BRA)', 6, 9, 9, 10],
      [4, 'Japan (JPN)', 6, 6, 12, 6],
      [5, 'Mexico (MEX)', 6, 4, 14, 2],
    ],
  );

/** Entries of one race: each team runs two or three cars, so a team's laps are a few rows. */
export const entriesSpec = (): TableSpec =>
  table('table_11', 'Pos:integer, Team, Driver, Laps:integer, Race result', [
    [1, 'Scuderia Alba', 'Piet Moro', 340, 'Win'],
    [2, 'Nordwerk', 'Hal Berg', 338, 'Loss'],
    [3, 'Nordwerk', 'Ivo Lind', 330, 'Loss'],
    [4, 'Equipe Soleil', 'Jean Roux', 320, 'Loss'],
    [5, 'Equipe Soleil', 'Remy Caen', 301, 'Loss'],
    [6, 'Scuderia Alba', 'Gio Sala', 12, 'Loss'],
  ]);

/** A club's league places by season, in time order: Place is text ("1st", "—" for a season not played). */
export const placesSpec = (): TableSpec =>
  table('table_13', 'Season, Division, Place', [
    ['1998–99', 'Regional', '—'],
    ['1999–00', 'Regional', '3rd'],
    ['2000–01', 'Regional', '1st'],
    ['2001–02', 'Third', '2nd'],
    ['2002–03', 'Third', '1st'],
    ['2003–04', 'Second', '9th'],
  ]);

/** A long list of winners pasted in two side-by-side blocks: "Year, Winner, Year, Winner". */
export const foldedSpec = (): TableSpec => {
  const spec = table('table_15', 'Year:integer, Winner, Year 2:integer, Winner 2', [
    [1990, 'Ana Ruiz', 1994, 'Bo Chen'],
    [1991, 'Bo Chen', 1995, 'Ana Ruiz'],
    [1992, 'Cy Dorn', 1996, 'Bo Chen'],
    [1993, 'Ana Ruiz', 1997, 'Dee Park'],
  ]);
  // Both blocks carry the same labels, as the page had them.
  spec.columns[2]!.label = 'Year';
  spec.columns[3]!.label = 'Winner';
  return spec;
};

/** Winners of a cup, listed newest first as such pages often are: "previous" is the row below. */
export const cupSpec = (): TableSpec =>
  table('table_17', 'Team, County, Titles:integer, Year:integer', [
    ['Oak Rovers', 'Wexmoor', 1, 2011],
    ['Pine Albion', 'Kelsey', 1, 2010],
    ['Elm United', 'Kelsey', 2, 2009],
    ['Ash Harriers', 'Lowfield', 1, 2008],
    ['Elm United', 'Kelsey', 2, 2007],
  ]);

/** Races of a season with distances recorded in km by the importer (catalog unit). */
export const runsSpec = (): TableSpec => {
  const spec = table('table_19', 'Year:integer, Venue, Event:integer, Position:integer', [
    [2002, 'Lima', 5, 1],
    [2003, 'Quito', 10, 3],
    [2004, 'Cali', 10, 2],
    [2005, 'Bogota', 20, 4],
  ]);
  spec.columns[2]!.unit = 'km';
  return spec;
};

/** A ski race: the overall rank is text ("–" for those who did not finish), the page lists entries by start. */
export const slalomSpec = (): TableSpec =>
  table('table_21', 'Athlete, Event, Total Time, Total Rank', [
    ['Ivo Dren', 'Slalom', '1:52.37', '23'],
    ['Pal Sorn', 'Slalom', '1:46.34', '16'],
    ['Ben Rask', 'Slalom', 'DNF', '–'],
    ['Ola Fenn', 'Slalom', '1:50.81', '19'],
  ]);

/** Counties: a population to count people by, an area recorded in square kilometres (header unit). */
export const countiesSpec = (): TableSpec =>
  table('table_23', 'County, Population:integer, Area (km²):real, Seat', [
    ['Dale', 9746, 812.5, 'Ashby'],
    ['Fenwick', 52516, 1204.0, 'Brook'],
    ['Harlow', 26888, 640.2, 'Carden'],
    ['Linden', 60236, 998.9, 'Dunmore'],
  ]);

/** Home games with real dates (ISO in the file), attendance and people injured in crowd incidents. */
export const gamesSpec = (): TableSpec =>
  table('table_25', 'Date:date, Opponent, Attendance:integer, Injured:integer', [
    ['1984-09-19', 'Harbor Hawks', 33119, 0],
    ['1984-10-02', 'Valley Rams', 28400, 3],
    ['1985-01-09', 'Coast Owls', 30950, 0],
    ['1985-08-25', 'Ridge Bears', 26780, 7],
    ['1986-08-25', 'Bay Otters', 29010, 1],
  ]);

/** A contest's running order: Draw written as codes ("01"), places, venues of the heats. */
export const contestSpec = (): TableSpec =>
  table('table_29', 'Draw, Country, Artist, Place:integer, Points:integer, Venue', [
    ['01', 'Norway', 'Kari Lund', 3, 120, 'Oslo Hall'],
    ['02', 'Portugal', 'Rui Mota', 1, 201, 'Main Arena'],
    ['03', 'Vietnam', 'Lan Do', 4, 64, 'Main Arena'],
    ['04', 'Chile', 'Ana Paz', 2, 150, 'Oslo Hall'],
  ]);

/** Peaks whose heights the importer kept as text: a unit on every cell, "N/A" on one, a speed in two units. */
export const peaksSpec = (): TableSpec =>
  table('table_33', 'Peak, Elevation, Top speed, Laps, Laps led:integer', [
    ['Mount Arlo', '14,375 ft', '100 km/h (62 mph)', 200, 73],
    ['Mount Bern', '13,149 ft', '90 km/h (56 mph)', 198, 0],
    ['Mount Cole', 'N/A', '55 km/h (34 mph)', 199, 12],
    ['Mount Dane', '12,004 ft', '120 km/h (75 mph)', 150, 5],
    ['Mount Eyre', '12,560 ft', '80 km/h (50 mph)', 190, 2],
    ['Mount Fell', '12,100 ft', '70 km/h (43 mph)', 180, 1],
  ]);

/** A 10 km race: times as text ("31:05.2"), one runner who did not finish, one cell mistyped with dots. */
export const runnersSpec = (): TableSpec =>
  table('table_35', 'Athlete, Country, Time', [
    ['Ivo Dren', 'Kenya', '29:58.1'],
    ['Pal Sorn', 'Norway', '31:05.2'],
    ['Ben Rask', 'Chile', 'DNF'],
    ['Ola Fenn', 'Japan', '30:41.7'],
    ['Tom Vale', 'Peru', '32.10.4'],
    ['Jan Moor', 'Italy', '1:02:11.0'],
    ['Eli Cord', 'Spain', '33:20.9'],
  ]);

/** A season's games with the teams in Visitor and Home columns. */
export const fixturesSpec = (): TableSpec =>
  table('table_37', 'Date, Visitor, Score, Home', [
    ['December 27', 'Toronto', '2–3', 'Ottawa'],
    ['December 30', 'Ottawa', '5–8', 'Toronto'],
    ['January 3', 'Montreal', '4–9', 'Toronto'],
    ['January 6', 'Toronto', '3–8', 'Montreal'],
  ]);

/** A fleet: each yacht with its owner, so a verb ("owns") names a column of its own. */
export const fleetSpec = (): TableSpec =>
  table('fleet', 'Position:integer, Yacht, Owner, Length:integer', [
    [1, 'Sea Hawk', 'Ann Lee', 20],
    [2, 'Blue Moon', 'Tom Fry', 18],
    [3, 'Red Star', 'Ann Lee', 22],
  ]);

/** Screw threads: sizes as text, a count per inch, a weight — headers a Portuguese question names in its words. */
export const threadsSpec = (): TableSpec =>
  table('table_39', 'Size, Threads per inch:real, Weight:integer', [
    ['1/4', 20, 4],
    ['1/2', 12, 9],
    ['3/4', 10, 15],
    ['1 1/2', 6, 40],
    ['1 3/4', 5, 52],
  ]);

/** Members of an assembly: "First elected" is text ("1841", "1857 (special)"). */
export const membersSpec = (): TableSpec =>
  table('table_43', 'District, Incumbent, Party, First elected', [
    ['North 1', 'Abel Crane', 'Whig', '1841'],
    ['North 2', 'Boyd Lyle', 'Whig', '1857'],
    ['South 1', 'Cato Reyes', 'Liberty', '1857 (special)'],
    ['South 2', 'Dean Wolfe', 'Liberty', '1860'],
  ]);

/** A player's finals: Outcome says who won, Championship the event, in time order. */
export const finalsSpec = (): TableSpec =>
  table('table_41', 'Outcome, Year:integer, Championship, Opponent', [
    ['Winner', 1969, 'Lakeside Open', 'Rod Vale'],
    ['Runner-up', 1970, 'Harbor Cup', 'Ken Dorn'],
    ['Winner', 1971, 'Harbor Cup', 'Rod Vale'],
    ['Runner-up', 1972, 'Lakeside Open', 'Ilie Moss'],
    ['Winner', 1974, 'Lakeside Open', 'Ken Dorn'],
  ]);

/** A dance show's weeks: couples by their place that week, in headers written with English ordinals. */
export const couplesSpec = (): TableSpec =>
  table('table_45', 'Week:integer, Winning couple, 2nd couple, 3rd couple', [
    [1, 'Ana and Rui', 'Bia and Leo', 'Cris and Teo'],
    [2, 'Bia and Leo', 'Cris and Teo', 'Ana and Rui'],
    [3, 'Cris and Teo', 'Bia and Leo', 'Ana and Rui'],
    [4, 'Ana and Rui', 'Cris and Teo', 'Bia and Leo'],
  ]);

/** A golf leaderboard: the score is text, the rounds and their total together ("66-72-70=208"). */
export const golfSpec = (): TableSpec =>
  table('table_47', 'Place, Player, Score, To par:integer', [
    ['1', 'Ana Ruiz', '66-72-70=208', -8],
    ['T2', 'Bo Chen', '70-70-69=209', -7],
    ['T2', 'Cy Dorn', '68-71-70=209', -7],
  ]);
