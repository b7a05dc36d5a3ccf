"""The stdlib-only baseline of the speed figures: load a store with tomllib, keep the events
about a mineral (with the same group matching as reetimeline), print them as reetimeline prints
when piped. Usage: python benchmarks/baseline.py STORE MINERAL"""

import sys
import tomllib

GROUPS = {
    "dysprosium": {"dysprosium", "heavy-rare-earths", "rare-earths", "Dy", "rare earths"},
}


def main() -> None:
    path, mineral = sys.argv[1], sys.argv[2]
    with open(path, "rb") as handle:
        events = tomllib.load(handle)["events"]
    wanted = GROUPS.get(mineral, {mineral})
    chosen = [e for e in events if wanted.intersection(e.get("minerals", ()))]
    chosen.sort(key=lambda e: str(e["date"]))
    write = sys.stdout.write
    write("date\tcategory\ttitle\tminerals\tcountries\n")
    for e in chosen:
        minerals = ", ".join(e.get("minerals", ()))
        countries = ", ".join(e.get("countries", ()))
        write(f"{e['date']}\t{e['category']}\t{e['title']}\t{minerals}\t{countries}\n")


if __name__ == "__main__":
    main()
