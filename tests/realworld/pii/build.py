"""The real-world PII set: files shaped like what data-science repositories hold.

    from tests.realworld.pii.build import build, load_manifest
    build(directory)             # writes every file named in manifest.json, deterministically

Tables that are real come from small extracts committed beside this file (`extracts/`, see
tests/fixtures/SOURCES.md); people are generated with Faker in the locale they belong to, with
fixed seeds, in the shapes real exports have (Titanic's "Last, Title. First", French
semicolon CSVs with `05 34 55 34 91`, churn tables with CR-only line endings, notebooks full of
losses and predictions, TensorFlow logs). Nothing here is a real person.
"""
from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
EXTRACTS = HERE / "extracts"


def load_manifest() -> list[dict[str, Any]]:
    """[{"file", "expect": [{"entity", "column"}], "needs"?, "why"}] from manifest.json."""
    return json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))["cases"]


def build(directory: Path) -> list[dict[str, Any]]:
    """Write every file of the manifest under `directory`; returns the manifest."""
    cases = load_manifest()
    for case in cases:
        target = directory / case["file"]
        target.parent.mkdir(parents=True, exist_ok=True)
        content = BUILDERS[case["file"]]()
        target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return cases


# ---------------------------------------------------------------- helpers

def faker(locale: str, seed: int) -> Any:
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(seed)
    return fake


def to_csv(header: list[str], rows: list[list[Any]], delimiter: str = ",",
           newline: str = "\n") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def extract(name: str) -> str:
    return (EXTRACTS / name).read_text(encoding="utf-8")


def html_table(header: list[str], rows: list[list[Any]]) -> str:
    """A DataFrame as pandas renders it in a notebook."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join(f"<tr><th>{i}</th>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>"
                   for i, row in enumerate(rows))
    return (f'<div><table border="1" class="dataframe"><thead><tr style="text-align: right;">'
            f"<th></th>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def notebook(cells: list[tuple[str, list[dict[str, Any]]]]) -> str:
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    nb_cells = []
    for n, (source, outputs) in enumerate(cells, 1):
        if source.startswith("# "):
            nb_cells.append(new_markdown_cell(source))
            continue
        made = []
        for out in outputs:
            if "stream" in out:
                made.append(new_output("stream", name=out.get("name", "stdout"),
                                       text=out["stream"]))
            else:
                made.append(new_output("execute_result", execution_count=n, data=out))
        nb_cells.append(new_code_cell(source, execution_count=n, outputs=made))
    nb = new_notebook(cells=nb_cells)
    for i, cell in enumerate(nb.cells):  # stable ids: the same bytes on every build
        cell["id"] = f"cell-{i}"
    return nbformat.writes(nb)


# ---------------------------------------------------------------- negatives: numbers

def training_notebook() -> str:
    """A model-training notebook: losses, metrics, predictions, arrays, a report."""
    rng = random.Random(11)
    epochs = "".join(
        f"Epoch {e}/30\n{rng.randint(100, 400)}/{rng.randint(400, 500)} "
        f"[==============================] - {rng.randint(1, 9)}s {rng.randint(2, 30)}ms/step"
        f" - loss: {rng.random():.4f} - accuracy: {rng.random():.4f} - val_loss: "
        f"{rng.random():.4f} - val_accuracy: {rng.random():.4f}\n" for e in range(1, 31))
    preds = "\n".join(repr(rng.uniform(50, 300)) for _ in range(40))  # 118.44108623570081
    array = "array([" + ",\n       ".join(", ".join(f"{rng.uniform(-1, 1):.8e}" for _ in range(4))
                                        for _ in range(30)) + "])"
    report = ("              precision    recall  f1-score   support\n\n"
              + "".join(f"           {c}       {rng.random():.2f}      {rng.random():.2f}      "
                        f"{rng.random():.2f}      {rng.randint(1000, 99999)}\n" for c in range(10))
              + f"\n    accuracy                           0.93     {rng.randint(10**5, 10**6)}\n")
    coefs = html_table(["feature", "coef", "p_value"], [
        [f"x{i}", repr(rng.gauss(0, 3)), repr(rng.random() / 1000)] for i in range(25)])
    timing = "\n".join(f"{rng.randint(1, 999)} ms ± {rng.randint(1, 99)} µs per loop (mean ± "
                       f"std. dev. of 7 runs, {rng.choice([1, 10, 100, 1000])} loops each)"
                       for _ in range(5))
    ids = "\n".join(f"{rng.randint(10**15, 10**16 - 1)}" for _ in range(20))  # hashes / seeds
    wget = (f"--2023-05-02 10:11:12--  https://s3.amazonaws.com/data/train.zip\n"
            f"Resolving s3.amazonaws.com (s3.amazonaws.com)... 52.216.{rng.randint(1, 250)}."
            f"{rng.randint(1, 250)}, 54.231.{rng.randint(1, 250)}.{rng.randint(1, 250)}\n"
            f"Connecting to s3.amazonaws.com (s3.amazonaws.com)|52.216.{rng.randint(1, 250)}."
            f"{rng.randint(1, 250)}|:443... connected.\nHTTP request sent, awaiting response..."
            f" 200 OK\nLength: {rng.randint(10**6, 10**9)} (1.2G) [application/zip]\n")
    return notebook([
        ("# Training", []),
        ("history = model.fit(X, y, epochs=30)", [{"stream": epochs}]),
        ("model.predict(X_test)[:40]", [{"text/plain": preds}]),
        ("np.asarray(weights)", [{"text/plain": array}]),
        ("print(classification_report(y, p))", [{"stream": report}]),
        ("coefs", [{"text/html": coefs, "text/plain": "<DataFrame>"}]),
        ("%timeit f(x)", [{"stream": timing}]),
        ("print(*seeds, sep='\\n')", [{"stream": ids}]),
        ("!wget https://s3.amazonaws.com/data/train.zip", [{"stream": wget, "name": "stderr"}]),
    ])


def regression_predictions_csv() -> str:
    """Predictions as written by pandas: 17 significant digits, exponents, long integers."""
    rng = random.Random(12)
    rows = [[i, repr(rng.uniform(0, 500)), repr(rng.uniform(0, 500)), f"{rng.random():.6e}",
             rng.randint(10**12, 10**13), rng.randint(1_500_000_000_000, 1_700_000_000_000)]
            for i in range(400)]
    return to_csv(["id", "y_true", "y_pred", "residual", "hash", "timestamp_ms"], rows)


def wide_float_features_csv() -> str:
    """A feature matrix: many float columns (the 229-column shape, smaller)."""
    rng = random.Random(13)
    header = [f"f{i}" for i in range(60)]
    rows = [[repr(rng.gauss(0, 100)) for _ in header] for _ in range(120)]
    return to_csv(header, rows)


def tensorflow_log() -> str:
    """TensorFlow and CUDA start-up and training logs: thread ids, temp paths, versions."""
    rng = random.Random(14)
    lines = []
    for step in range(150):
        tid = rng.randint(139_000_000_000_000, 140_999_999_999_999)
        when = (f"2023-0{rng.randint(1, 9)}-1{rng.randint(0, 9)} 1{rng.randint(0, 9)}:"
                f"2{step % 10}:0{step % 10}.{rng.randint(100000, 999999)}")
        choice = step % 6
        if choice == 0:
            lines.append(f"{when}: I tensorflow/core/platform/cpu_feature_guard.cc:193] This "
                         "TensorFlow binary is optimized with oneAPI Deep Neural Network Library"
                         " (oneDNN) to use the following CPU instructions: AVX2 FMA")
        elif choice == 1:
            lines.append(f"{when}: W tensorflow/core/framework/cpu_allocator_impl.cc:82] "
                         f"Allocation of {rng.randint(10**8, 10**9)} exceeds 10% of free "
                         "system memory.")
        elif choice == 2:
            lines.append(f"I1019 {when[11:]} {tid} gpu_device.cc:1613] Created device "
                         f"/job:localhost/replica:0/task:0/device:GPU:0 with "
                         f"{rng.randint(1000, 40000)} MB memory")
        elif choice == 3:
            lines.append(f"INFO:tensorflow:Saving checkpoints for {step * 1000} into "
                         f"/tmp/tmp{rng.randint(10**7, 10**8):x}/model.ckpt.")
        elif choice == 4:
            lines.append(f"INFO:tensorflow:loss = {rng.random()!r}, step = {step * 100} "
                         f"({rng.random():.3f} sec)")
        else:
            lines.append(f"[thread {tid}] cuDNN version 8.6.0.163, driver 525.85.12, "
                         f"CUDA 12.0.1.0, build {rng.randint(10**9, 10**10 - 1)}")
    return "\n".join(lines) + "\n"


def versions_log() -> str:
    """Servers listening, section and version numbers, build ids: not IP addresses."""
    rng = random.Random(15)
    lines = ["[I 10:02:11.532 NotebookApp] Serving notebooks from local directory: "
             "/home/jovyan",  # gitworthy: allow check-local-paths (a Jupyter server's log)
             "[I 10:02:11.533 NotebookApp] Jupyter Notebook 6.4.12 is running at:",
             "[I 10:02:11.533 NotebookApp] http://0.0.0.0:8888/?token=...",
             " * Running on http://127.0.0.1:5000/ (Press CTRL+C to quit)",
             "mlflow server --host 0.0.0.0 --port 5000"]
    for _ in range(60):
        a, b, c, d = (rng.randint(0, 9) for _ in range(4))
        lines.append(rng.choice([
            f"See section {a}.{b}.{c}.{d} of the specification",
            f"Installing collected packages: numpy-1.{b}{c}.{d}, pandas-2.{a}.{b}",
            f"release {a}.{b}.{c}.{d} built at 2023-0{a % 9 + 1}-1{b}",
            f"Table {a}.{b}.{c}.{d}: mean absolute error by fold",
            f"Using OpenSSL 1.1.1.{d} and libc 2.{b}{c}",
        ]))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- negatives: names of things

def cars_csv() -> str:
    return extract("cars.csv")


def airports_csv() -> str:
    return extract("airports.csv")


def cities_csv() -> str:
    return extract("cities.csv")


def iris_csv() -> str:
    return extract("iris.csv")


MOLECULES = ["Acetaminophen", "Caffeine", "Ibuprofen", "Aspirin", "Nicotine", "Dopamine",
             "Serotonin", "Ethanol", "Glucose", "Cholesterol", "Penicillin G", "Morphine",
             "Quinine", "Atropine", "Menthol", "Vanillin", "Capsaicin", "Testosterone",
             "Estradiol", "Melatonin", "Adrenaline", "Histamine", "Taurine", "Creatine",
             "Lidocaine", "Warfarin", "Metformin", "Atorvastatin", "Omeprazole", "Diazepam",
             "2-methylpropan-1-ol", "Benzene", "Toluene", "Phenol", "Acetone", "Urea",
             "Citric acid", "Lactic acid", "Glycine", "Alanine"]


def molecules_csv() -> str:
    rng = random.Random(16)
    rows = [[f"CHEMBL{rng.randint(1000, 999999)}", name, f"{rng.uniform(30, 600):.3f}",
             f"{rng.uniform(-3, 6):.2f}", rng.randint(0, 8)] for name in MOLECULES * 3]
    return to_csv(["chembl_id", "molecule_name", "mol_weight", "logp", "h_donors"], rows)


TISSUES = ["Adipose - Subcutaneous", "Adipose - Visceral (Omentum)", "Adrenal Gland",
           "Artery - Aorta", "Artery - Coronary", "Brain - Cortex", "Brain - Cerebellum",
           "Brain - Hippocampus", "Breast - Mammary Tissue", "Colon - Sigmoid",
           "Colon - Transverse", "Esophagus - Mucosa", "Heart - Left Ventricle", "Kidney - Cortex",
           "Liver", "Lung", "Muscle - Skeletal", "Nerve - Tibial", "Ovary", "Pancreas",
           "Pituitary", "Prostate", "Skin - Sun Exposed (Lower leg)", "Spleen", "Stomach",
           "Testis", "Thyroid", "Uterus", "Vagina", "Whole Blood"]


def tissues_csv() -> str:
    """GTEx-style expression samples: tissue names and sample ids (GTEX-1117F-0226-SM-5GZZ7)."""
    rng = random.Random(17)
    alnum = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # pragma: allowlist secret
    rows = []
    for _ in range(200):
        donor = "".join(rng.choice(alnum) for _ in range(rng.choice([4, 5])))
        sample = (f"GTEX-{donor}-{rng.randint(1, 3000):04d}-SM-"
                  + "".join(rng.choice(alnum) for _ in range(5)))
        rows.append([sample, rng.choice(TISSUES), f"{rng.uniform(5, 10):.1f}",
                     repr(rng.lognormvariate(2, 1.5))])
    return to_csv(["sample_id", "tissue_name", "rin", "tpm"], rows)


def imagenet_classes_txt() -> str:
    """LOC_synset_mapping.txt-style class lists: WordNet ids next to words like bus, status."""
    rng = random.Random(18)
    words = ["tench, Tinca tinca", "goldfish, Carassius auratus", "school bus", "trolleybus, "
             "trolley coach, trackless trolley", "minibus", "passenger car, coach, carriage",
             "status symbol", "abacus", "cactus", "octopus, devilfish", "hippopotamus, hippo",
             "bus stop", "US mailbox, letterbox", "walking stick, stick insect", "papillon",
             "passport holder", "licence plate, license plate", "driver, golf club", "omnibus"]
    lines = [f"n{rng.randint(10**7, 10**8 - 1):08d} {rng.choice(words)}" for _ in range(300)]
    return "\n".join(lines) + "\n"


def product_skus_csv() -> str:
    """Order lines: SKUs, order numbers, ZIP codes, quantities, prices (no person)."""
    rng = random.Random(19)
    rows = [[f"ORD-{rng.randint(10**6, 10**7)}", f"SKU{rng.randint(10**5, 10**6)}"
             f"{rng.choice('ABCDEFGH')}{rng.randint(10, 99)}", f"{rng.randint(10000, 99999)}",
             rng.randint(1, 12), f"{rng.uniform(1, 400):.2f}", rng.randint(10**9, 10**10 - 1)]
            for _ in range(300)]
    return to_csv(["order_number", "sku", "zip", "quantity", "unit_price", "tracking"], rows)


# ---------------------------------------------------------------- positives: people

def titanic_csv() -> str:
    """Titanic passenger list shape: Name written "Braund, Mr. Owen Harris"."""
    fake = faker("en_GB", 20)
    rng = random.Random(20)
    rows = []
    for pid in range(1, 300):
        sex = rng.choice(["male", "female"])
        first = fake.first_name_male() if sex == "male" else fake.first_name_female()
        middle = fake.first_name_male() if sex == "male" else fake.first_name_female()
        last = fake.last_name()
        title = rng.choice(["Mr.", "Master."]) if sex == "male" else rng.choice(["Mrs.", "Miss."])
        if title == "Mrs.":
            name = f"{last}, Mrs. {fake.first_name_male()} {fake.first_name_male()} " \
                   f"({first} {middle} {fake.last_name()})"
        else:
            name = f"{last}, {title} {first} {middle}"
        ticket = rng.choice([f"A/5 {rng.randint(1000, 99999)}", f"PC {rng.randint(10000, 99999)}",
                             f"STON/O2. {rng.randint(10**6, 10**7)}", str(rng.randint(10**5,
                                                                                     10**6))])
        rows.append([pid, rng.randint(0, 1), rng.randint(1, 3), name, sex,
                     rng.choice(["", str(rng.randint(1, 70))]), rng.randint(0, 3),
                     rng.randint(0, 2), ticket, f"{rng.uniform(5, 260):.4f}",
                     rng.choice(["", f"C{rng.randint(10, 130)}"]), rng.choice("SCQ")])
    return to_csv(["PassengerId", "Survived", "Pclass", "Name", "Sex", "Age", "SibSp", "Parch",
                   "Ticket", "Fare", "Cabin", "Embarked"], rows)


def customers_us_csv() -> str:
    fake = faker("en_US", 21)
    rows = [[fake.first_name(), fake.last_name(), fake.email(), fake.phone_number(), fake.ssn(),
             fake.state_abbr(), f"{fake.pyfloat(min_value=0, max_value=5000, right_digits=2)}"]
            for _ in range(150)]
    return to_csv(["first_name", "last_name", "email", "phone", "ssn", "state", "balance"], rows)


def undashed_us_csv() -> str:
    """Ten-digit phones and undashed SSNs: columns whose names say what they hold."""
    fake = faker("en_US", 22)
    rng = random.Random(22)
    rows = []
    for _ in range(120):
        phone = f"{rng.choice([212, 415, 312, 617, 206, 303])}{rng.randint(200, 999)}" \
                f"{rng.randint(1000, 9999)}"
        rows.append([fake.name(), phone, fake.ssn().replace("-", ""), rng.randint(18, 90)])
    return to_csv(["Name", "PhoneNumber", "SSN", "Age"], rows)


def churn_cr_csv() -> bytes:
    """Bank churn export with CR-only line endings (old Excel for Mac)."""
    fake = faker("en_GB", 23)
    rng = random.Random(23)
    rows = [[i, rng.randint(15_500_000, 15_900_000), fake.last_name(), rng.randint(350, 850),
             rng.choice(["France", "Spain", "Germany"]), rng.choice(["Male", "Female"]),
             rng.randint(18, 90), rng.randint(0, 10), f"{rng.uniform(0, 250000):.2f}",
             rng.randint(1, 4), rng.randint(0, 1), rng.randint(0, 1),
             f"{rng.uniform(10, 200000):.2f}", rng.randint(0, 1)] for i in range(1, 400)]
    return to_csv(["RowNumber", "CustomerId", "Surname", "CreditScore", "Geography", "Gender",
                   "Age", "Tenure", "Balance", "NumOfProducts", "HasCrCard", "IsActiveMember",
                   "EstimatedSalary", "Exited"], rows, newline="\r").encode("utf-8")


def customers_notebook() -> str:
    """An EDA notebook whose df.head() shows real customers, next to model outputs."""
    fake = faker("en_US", 24)
    rng = random.Random(24)
    rows = [[fake.name(), fake.email(), rng.randint(18, 80), f"{rng.uniform(0, 1):.6f}"]
            for _ in range(10)]
    table = html_table(["name", "email", "age", "churn_score"], rows)
    return notebook([
        ("# Churn EDA", []),
        ("df.head(10)", [{"text/html": table, "text/plain": "<DataFrame>"}]),
        ("model.score(X, y)", [{"text/plain": "0.8734262948207171"}]),
    ])


def cars_notebook() -> str:
    """A notebook showing cars (a `name` column) and their predicted mpg."""
    rows = list(csv.reader(io.StringIO(extract("cars.csv"))))
    header, body = rows[0], rows[1:21]
    rng = random.Random(25)
    table = html_table(header + ["pred"], [r + [repr(rng.uniform(10, 40))] for r in body])
    return notebook([
        ("cars.head(20)", [{"text/html": table, "text/plain": "<DataFrame>"}]),
        ("print(mean_squared_error(y, p))", [{"stream": f"{rng.uniform(5, 20)!r}\n"}]),
    ])


def tickets_csv() -> str:
    fake = faker("en_US", 26)
    rows = [[i, f"{fake.sentence(nb_words=8)} Please contact {fake.email()} for details."]
            for i in range(60)]
    return to_csv(["ticket_id", "comment"], rows)


def access_log() -> str:
    """A web server access log: client IPv4 and IPv6 addresses are personal data."""
    rng = random.Random(27)
    lines = []
    for _ in range(120):
        if rng.random() < 0.5:
            ip = f"{rng.randint(11, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}." \
                 f"{rng.randint(1, 254)}"
        else:
            ip = "2a02:" + ":".join(f"{rng.randint(0, 65535):x}" for _ in range(7))
        lines.append(f'{ip} - - [10/Oct/2023:13:55:36 +0000] "GET /api/v1/items/'
                     f'{rng.randint(1, 9999)} HTTP/1.1" 200 {rng.randint(100, 9999)}')
    return "\n".join(lines) + "\n"


def claims_csv() -> str:
    """Medicare claims: MBIs written with dashes, ITINs in a tax-id column."""
    rng = random.Random(28)
    letters = "ACDEFGHJKMNPQRTUVWXY"

    def mbi() -> str:
        a = lambda: rng.choice(letters)  # noqa: E731
        d = lambda: str(rng.randint(0, 9))  # noqa: E731
        return f"{rng.randint(1, 9)}{a()}{d()}{d()}-{a()}{d()}{d()}-{a()}{a()}{d()}{d()}"

    rows = [[mbi(), f"9{rng.randint(10, 99)}-{rng.choice([70, 75, 80, 85, 90, 94])}-"
             f"{rng.randint(1000, 9999)}", f"{rng.uniform(10, 5000):.2f}",
             rng.choice(["A", "B", "D"])] for _ in range(100)]
    return to_csv(["medicare_id", "tin", "amount", "part"], rows)


def cards_csv() -> str:
    """Payments with real-shaped (Luhn-valid) card numbers."""
    fake = faker("en_US", 29)
    rows = [[fake.credit_card_number(card_type=t), fake.credit_card_expire(),
             f"{fake.pyfloat(min_value=1, max_value=999, right_digits=2)}"]
            for t in ["visa16", "mastercard", "amex"] * 40]
    return to_csv(["card_number", "expiry", "amount"], rows)


def contacts_by_email_json() -> str:
    """JSON keyed by e-mail address (a mailing-list export)."""
    fake = faker("en_US", 30)
    return json.dumps({fake.email(): {"opened": i % 7, "clicked": i % 3} for i in range(40)},
                      indent=2)


# ---------------------------------------------------------------- positives: international

def clients_fr_csv() -> str:
    fake = faker("fr_FR", 31)
    rng = random.Random(31)
    rows = [[fake.last_name(), fake.first_name(),
             f"0{rng.randint(1, 7)} {' '.join(f'{rng.randint(0, 99):02d}' for _ in range(4))}",
             fake.date_of_birth(minimum_age=18, maximum_age=90).strftime("%d/%m/%Y"),
             fake.email(), fake.city(), rng.choice(["Oui", "Non"])] for _ in range(120)]
    return to_csv(["Nom", "Prénom", "Téléphone", "Date de naissance", "Courriel", "Ville",
                   "Fidélité"], rows, delimiter=";")


def secu_fr_csv() -> str:
    """French social security numbers (NIR, with their key)."""
    fake = faker("fr_FR", 32)
    rows = [[fake.name(), fake.ssn(), fake.postcode()] for _ in range(80)]
    return to_csv(["nom_complet", "numero_secu", "code_postal"], rows)


def kunden_de_csv() -> str:
    fake = faker("de_DE", 33)
    rows = [[fake.last_name(), fake.first_name(), fake.phone_number(),
             fake.date_of_birth(minimum_age=18, maximum_age=90).strftime("%d.%m.%Y"),
             fake.iban(), fake.city()] for _ in range(120)]
    return to_csv(["Nachname", "Vorname", "Telefon", "Geburtsdatum", "IBAN", "Ort"], rows,
                  delimiter=";")


def clientes_es_csv() -> str:
    fake = faker("es_ES", 34)
    rows = [[fake.first_name(), f"{fake.last_name()} {fake.last_name()}", fake.phone_number(),
             fake.nif(), fake.city()] for _ in range(120)]
    return to_csv(["nombre", "apellidos", "teléfono", "dni", "ciudad"], rows)


def clienti_it_csv() -> str:
    fake = faker("it_IT", 35)
    rows = [[fake.first_name(), fake.last_name(), fake.phone_number(), fake.ssn(),
             fake.city()] for _ in range(120)]
    return to_csv(["nome", "cognome", "telefono", "codice_fiscale", "citta"], rows)


def pacjenci_pl_csv() -> str:
    fake = faker("pl_PL", 36)
    rows = [[fake.first_name(), fake.last_name(), fake.pesel(), fake.phone_number()]
            for _ in range(100)]
    return to_csv(["imie", "nazwisko", "pesel", "telefon"], rows)


def nino(rng: random.Random) -> str:
    """A UK National Insurance number (valid prefixes, not Faker's placeholder ZZ)."""
    first, second = "ABCEGHJKLMNOPRSTWXYZ", "ABCEGHJKLMNPRSTWXYZ"
    while True:
        prefix = rng.choice(first) + rng.choice(second)
        if prefix not in ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ"):
            digits = f"{rng.randint(0, 999999):06d}"
            spaced = rng.random() < 0.5
            body = " ".join((prefix, digits[:2], digits[2:4], digits[4:])) if spaced \
                else prefix + digits
            return f"{body}{' ' if spaced else ''}{rng.choice('ABCD')}"


def customers_gb_csv() -> str:
    fake = faker("en_GB", 37)
    rng = random.Random(37)
    rows = [[fake.name(), fake.phone_number(), nino(rng), fake.postcode()]
            for _ in range(120)]
    return to_csv(["full_name", "phone_number", "national_insurance_number", "postcode"], rows)


def customers_ca_csv() -> str:
    fake = faker("en_CA", 38)
    rows = [[fake.name(), fake.phone_number(), fake.ssn(), fake.province_abbr()]
            for _ in range(120)]
    return to_csv(["customer_name", "phone", "sin", "province"], rows)


def tfn(rng: random.Random) -> str:
    weights = (1, 4, 3, 7, 5, 8, 6, 9, 10)
    while True:
        digits = [rng.randint(0, 9) for _ in range(9)]
        if digits[0] and sum(d * w for d, w in zip(digits, weights, strict=True)) % 11 == 0:
            s = "".join(map(str, digits))
            return f"{s[:3]} {s[3:6]} {s[6:]}"


def customers_au_csv() -> str:
    fake = faker("en_AU", 39)
    rng = random.Random(39)
    rows = [[fake.name(), fake.phone_number(), tfn(rng), fake.state_abbr()]
            for _ in range(120)]
    return to_csv(["name", "phone", "tfn", "state"], rows)


def aadhaar(rng: random.Random) -> str:
    """An Aadhaar number: 12 digits, first 2-9, Verhoeff check digit (Faker's uses Luhn),
    checked with presidio's own validator, written in groups of four as on the card."""
    from presidio_analyzer.predefined_recognizers import InAadhaarRecognizer

    while True:
        body = str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(10))
        for check in "0123456789":
            if InAadhaarRecognizer._is_verhoeff_number(int(body + check)):
                number = body + check
                return f"{number[:4]} {number[4:8]} {number[8:]}"


def customers_in_csv() -> str:
    fake = faker("en_IN", 40)
    rng = random.Random(40)
    rows = [[fake.name(), fake.phone_number(), aadhaar(rng), fake.city()]
            for _ in range(120)]
    return to_csv(["name", "mobile", "aadhaar", "city"], rows)


def klanten_nl_csv() -> str:
    fake = faker("nl_NL", 41)
    rows = [[fake.name(), fake.phone_number(), fake.iban(), fake.city()]
            for _ in range(120)]
    return to_csv(["naam", "telefoonnummer", "rekeningnummer", "woonplaats"], rows)


# ---------------------------------------------------------------- more of both

def stocks_csv() -> str:
    return extract("stocks.csv")


def weather_csv() -> str:
    return extract("seattle-weather.csv")


def eda_notebook() -> str:
    """describe(), value_counts() of cities, a confusion matrix, correlations."""
    rng = random.Random(50)
    stats = ["count", "mean", "std", "min", "25%", "50%", "75%", "max"]
    describe = html_table(["price", "volume", "rating"], [
        [repr(rng.uniform(0, 10**6)) for _ in range(3)] for _ in stats])
    cities = "\n".join(f"{c:<20}{rng.randint(10, 9999)}" for c in (
        "Charlotte", "Austin", "Jackson", "Florence", "Victoria", "Lincoln", "Eugene", "Regina",
        "Madison", "Savannah", "Tyler", "Beverly Hills", "Santa Clara"))
    matrix = "array([" + ",\n       ".join(
        "[" + ", ".join(str(rng.randint(0, 99999)) for _ in range(10)) + "]"
        for _ in range(10)) + "])"
    corr = html_table(["a", "b", "c", "d"], [[repr(rng.uniform(-1, 1)) for _ in range(4)]
                                             for _ in range(4)])
    return notebook([
        ("df.describe()", [{"text/html": describe, "text/plain": "<DataFrame>"}]),
        ("df['city'].value_counts()", [{"text/plain": cities + "\nName: city, dtype: int64"}]),
        ("confusion_matrix(y, p)", [{"text/plain": matrix}]),
        ("df.corr()", [{"text/html": corr, "text/plain": "<DataFrame>"}]),
    ])


def sensors_csv() -> str:
    """IoT readings: timestamps, MAC addresses, UUIDs, firmware versions, coordinates."""
    rng = random.Random(51)
    rows = []
    for i in range(300):
        mac = ":".join(f"{rng.randint(0, 255):02x}" for _ in range(6))
        uuid = "-".join(f"{rng.getrandbits(b * 4):0{b}x}" for b in (8, 4, 4, 4, 12))
        rows.append([f"2024-03-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z", mac, uuid,
                     f"{rng.randint(1, 4)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}."
                     f"{rng.randint(0, 300)}", f"{rng.uniform(-90, 90):.6f}",
                     f"{rng.uniform(-180, 180):.6f}", f"{rng.uniform(-20, 45):.2f}"])
    return to_csv(["timestamp", "device_mac", "reading_id", "firmware", "lat", "lon",
                   "temperature"], rows)


def genes_csv() -> str:
    """Genes: names, Ensembl ids, coordinates, DOIs and ISBN-like references."""
    rng = random.Random(52)
    genes = ["BRCA1", "TP53", "EGFR", "MYC", "KRAS", "PTEN", "APOE", "CFTR", "HBB", "INS",
             "ALB", "GAPDH", "ACTB", "VEGFA", "IL6", "TNF", "ESR1", "AR", "CDKN2A", "NOTCH1"]
    rows = [[g, f"ENSG{rng.randint(10**10, 10**11 - 1):011d}", f"chr{rng.randint(1, 22)}:"
             f"{rng.randint(10**6, 10**8)}-{rng.randint(10**8, 2 * 10**8)}",
             f"10.{rng.randint(1000, 9999)}/nature{rng.randint(10000, 99999)}",
             f"978-{rng.randint(0, 9)}-{rng.randint(10, 99)}-{rng.randint(100000, 999999)}-"
             f"{rng.randint(0, 9)}", f"{rng.uniform(0, 1):.3e}"] for g in genes * 5]
    return to_csv(["gene_name", "ensembl_id", "locus", "doi", "isbn", "p_adj"], rows)


def products_csv() -> str:
    """A product catalogue: `name` holds product names, some with given names in them."""
    rng = random.Random(53)
    names = ["Victoria Sponge Cake", "Earl Grey Tea", "Margherita Pizza", "Caesar Salad",
             "Beef Wellington", "Eggs Benedict", "Peach Melba", "Pavlova", "Sally Lunn Bun",
             "Apple Charlotte", "Tarte Tatin", "Madeleine", "Bismarck Doughnut",
             "Chicken Marengo", "Oysters Rockefeller", "Nachos", "Waldorf Salad", "Reuben",
             "Club Sandwich", "Eton Mess", "Banoffee Pie", "Lamington", "Anzac Biscuit",
             "Garibaldi Biscuit", "Battenberg Cake"]
    rows = [[f"P{rng.randint(1000, 9999)}", n, f"{rng.uniform(1, 30):.2f}",
             rng.choice(["bakery", "deli", "kitchen"])] for n in names * 4]
    return to_csv(["product_id", "name", "price", "department"], rows)


def support_notebook() -> str:
    """A notebook that prints raw customer records while debugging."""
    fake = faker("en_US", 54)
    lines = "".join(f"Customer {fake.name()} <{fake.email()}> called from "
                    f"{fake.numerify('(###) 555-01##')} about order "
                    f"{fake.random_int(10000, 99999)}\n" for _ in range(8))
    return notebook([
        ("for r in rows[:8]: print(describe(r))", [{"stream": lines}]),
        ("len(rows)", [{"text/plain": "48213"}]),
    ])


def chats_jsonl() -> str:
    """Support chat transcripts with e-mails and phone numbers in free text."""
    fake = faker("en_GB", 55)
    rng = random.Random(55)
    out = []
    for i in range(80):
        contact = rng.choice([f"my email is {fake.email()}",
                              f"call me on +44 20 7946 0{rng.randint(100, 999)}",
                              "thanks, all sorted now", "the app keeps crashing on start"])
        out.append(json.dumps({"id": i, "channel": "chat", "message":
                               f"Hi, {fake.sentence(nb_words=6)} {contact}."}))
    return "\n".join(out) + "\n"


def payments_log() -> str:
    """A payment service log with card numbers written in groups."""
    fake = faker("en_US", 56)
    rng = random.Random(56)
    lines = []
    for i in range(200):
        if i % 10 == 3:
            card = fake.credit_card_number(card_type="visa16")
            grouped = " ".join(card[j:j + 4] for j in range(0, 16, 4))
            lines.append(f"2024-05-0{1 + i % 9} 12:00:{i % 60:02d} WARN charge declined card "
                         f"{grouped} amount {rng.uniform(1, 500):.2f}")
        else:
            lines.append(f"2024-05-0{1 + i % 9} 12:00:{i % 60:02d} INFO charge ok id "
                         f"{rng.randint(10**11, 10**12)} in {rng.uniform(0, 1):.6f}s")
    return "\n".join(lines) + "\n"


def transposed_notebook() -> str:
    """df.set_index('name').T: people's names become the column headers."""
    fake = faker("en_US", 57)
    rng = random.Random(57)
    people = [fake.name() for _ in range(6)]
    table = html_table(people, [[rng.randint(18, 80) for _ in people],
                                [f"{rng.uniform(0, 1):.4f}" for _ in people]])
    return notebook([("df.set_index('name').T", [{"text/html": table,
                                                  "text/plain": "<DataFrame>"}])])


def staff_csv() -> str:
    """Staff list: the column is called `employee`, the values are "Last, First"."""
    fake = faker("en_GB", 58)
    rows = [[f"{fake.last_name()}, {fake.first_name()}", fake.job(), fake.random_int(1, 40)]
            for _ in range(100)]
    return to_csv(["employee", "role", "years"], rows)


BUILDERS: dict[str, Callable[[], str | bytes]] = {
    "notebooks/train_model.ipynb": training_notebook,
    "notebooks/cars_mpg.ipynb": cars_notebook,
    "notebooks/churn_eda.ipynb": customers_notebook,
    "data/predictions.csv": regression_predictions_csv,
    "data/features.csv": wide_float_features_csv,
    "logs/train.log": tensorflow_log,
    "logs/server.log": versions_log,
    "logs/access.log": access_log,
    "data/cars.csv": cars_csv,
    "data/airports.csv": airports_csv,
    "data/cities.csv": cities_csv,
    "data/iris.csv": iris_csv,
    "data/molecules.csv": molecules_csv,
    "data/gtex_samples.csv": tissues_csv,
    "data/imagenet_classes.txt": imagenet_classes_txt,
    "data/orders.csv": product_skus_csv,
    "data/titanic.csv": titanic_csv,
    "data/customers_us.csv": customers_us_csv,
    "data/contacts_undashed.csv": undashed_us_csv,
    "data/churn_modelling.csv": churn_cr_csv,
    "data/tickets.csv": tickets_csv,
    "data/claims.csv": claims_csv,
    "data/payments.csv": cards_csv,
    "data/mailing_stats.json": contacts_by_email_json,
    "data/fr/clients.csv": clients_fr_csv,
    "data/fr/assures.csv": secu_fr_csv,
    "data/de/kunden.csv": kunden_de_csv,
    "data/es/clientes.csv": clientes_es_csv,
    "data/it/clienti.csv": clienti_it_csv,
    "data/pl/pacjenci.csv": pacjenci_pl_csv,
    "data/gb/customers.csv": customers_gb_csv,
    "data/ca/customers.csv": customers_ca_csv,
    "data/au/customers.csv": customers_au_csv,
    "data/in/customers.csv": customers_in_csv,
    "data/nl/klanten.csv": klanten_nl_csv,
    "data/stocks.csv": stocks_csv,
    "data/seattle_weather.csv": weather_csv,
    "notebooks/eda.ipynb": eda_notebook,
    "data/sensors.csv": sensors_csv,
    "data/genes.csv": genes_csv,
    "data/products.csv": products_csv,
    "notebooks/debug_support.ipynb": support_notebook,
    "data/chats.jsonl": chats_jsonl,
    "logs/payments.log": payments_log,
    "notebooks/people_transposed.ipynb": transposed_notebook,
    "data/staff.csv": staff_csv,
}


# ---------------------------------------------------------------- scoring

Key = tuple[str, str, "str | None"]


def score(cases: list[dict[str, Any]], findings: list[dict[str, Any]],
          skip_needs: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Precision and recall of check-pii findings (JSON) against the manifest.

    A finding is (file, entity, column); an expected column "*" matches any column of that
    entity in the file. Cases whose `needs` is in `skip_needs` are left out."""
    kept = [c for c in cases if c.get("needs") not in skip_needs]
    files = {c["file"] for c in kept}
    got = {(f["path"], f["details"].get("entity", ""), f["details"].get("column"))
           for f in findings if f["path"] in files and f["rule"] != "pii-not-inspected"}
    expected: set[Key] = {(c["file"], e["entity"], e["column"]) for c in kept for e in c["expect"]}
    matched: set[Key] = set()
    false_pos: list[Key] = []
    for key in sorted(got, key=str):
        hit = key in expected or (key[0], key[1], "*") in expected
        if hit:
            matched.add(key if key in expected else (key[0], key[1], "*"))
        else:
            false_pos.append(key)
    missed = sorted(expected - matched, key=str)
    tp = len(matched)
    return {"tp": tp, "fp": len(false_pos), "fn": len(missed),
            "precision": tp / (tp + len(false_pos)) if tp + len(false_pos) else 1.0,
            "recall": tp / (tp + len(missed)) if tp + len(missed) else 1.0,
            "false_positives": false_pos, "missed": missed}
