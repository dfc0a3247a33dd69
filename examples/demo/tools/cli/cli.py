"""esb-ctl - the demo project's ctl for ESB's current layout (standard library only).

Run from the project root (examples/demo) as ESB's runner runs its ctl, through the
wrapper it writes at .e2e/bin/esb-ctl:

    python3 -m tools.cli.cli deploy --artifact FILE [--no-cache] [--verbose]
    python3 -m tools.cli.cli provision --project P --compose-file F --env-file E [--verbose]

deploy, for every artifact the manifest names (artifact_root, runtime_config_dir):
  for every function of <artifact_root>/<runtime_config_dir>/functions.yml:
    1. builds <artifact_root>/functions/<name>/Dockerfile (context: the artifact root)
       with plain `docker build` (legacy builder: no buildx needed) as the function's
       `image` (${VAR} expanded from the environment),
    2. pushes it to the registry, drops the local copy and pulls it back,
    3. copies /function/message.txt out of the pulled image and installs
       {"function","env","tag","message","image","artifact"} into the env's gateway
       (compose service `gateway` of PROJECT_NAME) as /www/functions/<name>,
    4. removes the local image again (the registry keeps it);
  then writes what it deployed, with the resources of resources.yml, to
  $ESB_HOME/deploy.json, for provision.

provision, for the running compose project --project:
  1. reads $ESB_HOME/deploy.json (the deploy's metadata: run deploy first),
  2. waits until the gateway and database answer inside their containers,
  3. creates each dynamodb table of the deploy's resources in the env's database
     (key table.<TableName> of its key/value store),
  4. writes the marker /www/provisioned.json into the gateway (served as
     GET /provisioned.json): env, project, compose and env files, tables, functions,
     ESB_META_REUSE as it got it.

Environment read (the runner sets it): ENV (or ESB_ENV), PROJECT_NAME (default
esb-$ENV), ESB_TAG (default latest), HOST_REGISTRY_ADDR (default
127.0.0.1:${PORT_REGISTRY:-5010}), ESB_HOME (default .esb/e2e/state/$ENV),
ESB_META_REUSE, CTL_BIN_RESOLVED.

Exit codes: 0 done, 1 failed (with the failing docker command's output), 2 bad
command line.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

PROG = "esb-ctl"
REQUEST_TIMEOUT = 5
READY_TIMEOUT = 30


class CtlError(Exception):
    """A failure the ctl reports (exit 1)."""


def say(message):
    print(f"[{PROG}] {message}", flush=True)


VERBOSE = False


def debug(message):
    if VERBOSE:
        print(f"[{PROG}]   {message}", flush=True)


# ------------------------------------------------------------------ YAML (block subset)

def _scalar(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return re.sub(r"\s+#.*$", "", text)


def parse_yaml(text, path):
    """Block-style YAML subset: nested mappings, '- ' lists, plain or quoted scalars."""

    def fail(message):
        raise CtlError(f"{path}: {message}")

    rows = []
    for number, raw in enumerate(text.splitlines(), 1):
        if "\t" in raw[: len(raw) - len(raw.lstrip())]:
            fail(f"line {number}: tabs are not allowed for indentation")
        stripped = raw.strip()
        if not stripped or stripped.startswith("#") or stripped in ("---", "..."):
            continue
        rows.append((len(raw) - len(raw.lstrip(" ")), stripped, number))

    def block(i, indent):
        if i >= len(rows):
            return None, i
        if rows[i][1].startswith("- ") or rows[i][1] == "-":
            items = []
            while i < len(rows) and rows[i][0] == indent and (rows[i][1].startswith("- ") or rows[i][1] == "-"):
                rest = rows[i][1][1:].strip()
                if not rest:
                    if i + 1 < len(rows) and rows[i + 1][0] > indent:
                        value, i = block(i + 1, rows[i + 1][0])
                    else:
                        value, i = None, i + 1
                    items.append(value)
                    continue
                if not re.match(r"""^("[^"]*"|'[^']*'|[^:#"'][^:]*?)\s*:(\s|$)""", rest):
                    items.append(_scalar(rest))
                    i += 1
                    continue
                # "- key: value" starts a mapping whose keys sit at indent+2
                sub = indent + 2
                rows[i] = (sub, rest, rows[i][2])
                value, i = block(i, sub)
                items.append(value)
            return items, i
        mapping = {}
        while i < len(rows) and rows[i][0] == indent:
            line, number = rows[i][1], rows[i][2]
            m = re.match(r"""^("[^"]*"|'[^']*'|[^:#][^:]*?)\s*:(\s+(.*))?$""", line)
            if not m:
                fail(f"line {number}: expected 'key: value', got: {line}")
            key = _scalar(m.group(1))
            rest = (m.group(3) or "").strip()
            if rest and not rest.startswith("#"):
                mapping[key] = _scalar(rest)
                i += 1
            elif i + 1 < len(rows) and rows[i + 1][0] > indent:
                mapping[key], i = block(i + 1, rows[i + 1][0])
            elif i + 1 < len(rows) and rows[i + 1][0] == indent and rows[i + 1][1].startswith("-"):
                mapping[key], i = block(i + 1, indent)
            else:
                mapping[key] = None
                i += 1
        if i < len(rows) and rows[i][0] > indent:
            fail(f"line {rows[i][2]}: unexpected indentation")
        return mapping, i

    doc, i = block(0, rows[0][0]) if rows else ({}, 0)
    if i < len(rows):
        fail(f"line {rows[i][2]}: unexpected indentation")
    return doc


def read_yaml(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as err:
        raise CtlError(f"cannot read {path}: {err.strerror}") from None
    return parse_yaml(text, path)


# ------------------------------------------------------------------ settings

def expand(value, where):
    """${VAR} from the environment; an unset variable is an error, not an empty string."""

    def one(m):
        name = m.group(1)
        if not os.environ.get(name):
            raise CtlError(f"{where}: ${{{name}}} is not set")
        return os.environ[name]

    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", one, value)


class Settings:
    def __init__(self):
        self.env = os.environ.get("ENV") or os.environ.get("ESB_ENV") or ""
        if not self.env:
            raise CtlError("no env: set ENV (the runner does)")
        self.project = os.environ.get("PROJECT_NAME") or f"esb-{self.env}"
        self.tag = os.environ.get("ESB_TAG") or "latest"
        registry = os.environ.get("HOST_REGISTRY_ADDR") or f"127.0.0.1:{os.environ.get('PORT_REGISTRY') or '5010'}"
        self.registry = registry.rstrip("/")
        self.home = os.path.abspath(os.environ.get("ESB_HOME") or os.path.join(".esb", "e2e", "state", self.env))
        self.meta = os.path.join(self.home, "deploy.json")


# ------------------------------------------------------------------ docker

def docker(step, *args, env=None, capture=False):
    """Runs `docker ARGS`; on failure raises with its output. Returns stdout."""
    argv = ["docker", *args]
    debug("$ " + " ".join(argv))
    try:
        done = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    except FileNotFoundError:
        raise CtlError("docker CLI not found") from None
    if done.returncode != 0:
        out = "\n".join(f"  | {line}" for line in done.stdout.rstrip().splitlines())
        raise CtlError(f"{step} failed: {' '.join(argv)} (exit {done.returncode})\n{out}")
    if VERBOSE and done.stdout.strip() and not capture:
        for line in done.stdout.rstrip().splitlines():
            debug(f"  {line}")
    return done.stdout


def service_container(project, service):
    """The running container of a compose service of the project, found by its labels."""
    out = docker(
        f"finding the {service} of {project}",
        "ps", "-q",
        "--filter", f"label=com.docker.compose.project={project}",
        "--filter", f"label=com.docker.compose.service={service}",
        capture=True,
    )
    ids = out.split()
    if not ids:
        raise CtlError(f"no running {service} container of {project} (compose service `{service}`): is the env up?")
    return ids[0]


def copy_in(container, path, text, workdir):
    local = os.path.join(workdir, "copy-in")
    with open(local, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(local, 0o644)
    docker(f"copy into {container}:{path}", "cp", local, f"{container}:{path}")


def fetch_inside(container, url, post=None):
    """GET (or POST) a URL from inside a container with its busybox wget; None when it fails."""
    argv = ["docker", "exec", container, "timeout", str(REQUEST_TIMEOUT), "wget", "-q", "-Y", "off", "-O", "-"]
    if post is not None:
        argv += ["--post-data", post]
    done = subprocess.run([*argv, url], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return done.stdout if done.returncode == 0 else None


def wait_inside(container, what, url):
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        body = fetch_inside(container, url)
        if body is not None:
            debug(f"{what} answers: {body.strip()}")
            return body
        if time.monotonic() > deadline:
            raise CtlError(f"{what} did not answer {url} within {READY_TIMEOUT}s")
        time.sleep(0.2)


# ------------------------------------------------------------------ deploy

def load_manifest(path, settings):
    if not os.path.isfile(path):
        raise CtlError(f"artifact manifest not found: {path}")
    doc = read_yaml(path)
    if not isinstance(doc, dict):
        raise CtlError(f"{path}: not a mapping")
    if str(doc.get("schema_version")) != "1":
        raise CtlError(f"{path}: schema_version {doc.get('schema_version')!r} is not supported (expected \"1\")")
    if doc.get("env") != settings.env:
        raise CtlError(f"{path}: the manifest is for env {doc.get('env')!r}, not {settings.env!r} (ENV)")
    if (doc.get("mode") or "docker") != "docker":
        raise CtlError(f"{path}: mode {doc.get('mode')!r} is not supported by this demo (only: docker)")
    artifacts = doc.get("artifacts")
    if not isinstance(artifacts, list) or not artifacts:
        raise CtlError(f"{path}: no `artifacts` list")
    base = os.path.dirname(os.path.abspath(path))
    out = []
    for i, artifact in enumerate(artifacts):
        root = artifact.get("artifact_root") if isinstance(artifact, dict) else None
        if not root:
            raise CtlError(f"{path}: artifacts[{i}] has no artifact_root")
        root_abs = os.path.normpath(os.path.join(base, root))
        config = os.path.join(root_abs, artifact.get("runtime_config_dir") or "config")
        if not os.path.isdir(config):
            raise CtlError(f"{path}: artifacts[{i}]: runtime config dir not found: {config}")
        out.append({"name": root, "root": root_abs, "config": config})
    return out


def functions_of(artifact):
    path = os.path.join(artifact["config"], "functions.yml")
    doc = read_yaml(path)
    functions = (doc or {}).get("functions")
    if not isinstance(functions, dict) or not functions:
        raise CtlError(f"{path}: no `functions` mapping")
    out = []
    for name, spec in functions.items():
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
            raise CtlError(f"{path}: function name {name!r} must match [a-z0-9][a-z0-9_-]*")
        image = spec.get("image") if isinstance(spec, dict) else None
        if not image:
            raise CtlError(f"{path}: {name} has no image")
        dockerfile = os.path.join(artifact["root"], "functions", name, "Dockerfile")
        if not os.path.isfile(dockerfile):
            raise CtlError(f"{path}: {name}: {dockerfile} not found")
        out.append({"name": name, "image": expand(image, f"{path}: {name}.image"), "dockerfile": dockerfile})
    return out


def tables_of(artifact):
    path = os.path.join(artifact["config"], "resources.yml")
    if not os.path.isfile(path):
        return []
    resources = (read_yaml(path) or {}).get("resources") or {}
    tables = []
    for table in resources.get("dynamodb") or []:
        name = table.get("TableName") if isinstance(table, dict) else None
        if not name or not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
            raise CtlError(f"{path}: a dynamodb table has no usable TableName ({table!r})")
        tables.append(name)
    return tables


def deploy(args):
    settings = Settings()
    artifacts = load_manifest(args.artifact, settings)
    say(f"deploy env={settings.env} project={settings.project} tag={settings.tag} artifact={args.artifact}")
    gateway = service_container(settings.project, "gateway")
    # The legacy builder: plain `docker build`, no buildx and no BuildKit frontend to pull.
    build_env = {**os.environ, "DOCKER_BUILDKIT": "0"}
    deployed, tables = [], []
    workdir = tempfile.mkdtemp(prefix="esb-ctl-")
    helper = None
    try:
        for artifact in artifacts:
            tables += tables_of(artifact)
            for fn in functions_of(artifact):
                name, image = fn["name"], fn["image"]
                say(f"{name}: building {image}")
                build = ["build", "--quiet", "--label", "esb.demo.function", "--label", f"esb.demo.env={settings.env}",
                         "--file", fn["dockerfile"], "--tag", image]
                if args.no_cache:
                    build.append("--no-cache")
                docker(f"build of {name}", *build, artifact["root"], env=build_env)
                say(f"{name}: pushing, then pulling back")
                docker(f"push of {name}", "push", image)
                docker(f"removal of the local tag of {name}", "image", "rm", image)
                docker(f"pull of {name}", "pull", image)
                helper = f"{settings.project}-deploy-{name}"
                subprocess.run(["docker", "rm", "--force", helper], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                # Labelled with the env's compose project: the env's next reset removes a helper a killed deploy left.
                docker(f"helper container of {name}", "create", "--name", helper,
                       "--label", f"com.docker.compose.project={settings.project}",
                       "--label", f"esb.demo.env={settings.env}", image, capture=True)
                message_file = os.path.join(workdir, f"{name}.txt")
                docker(f"copy out of {name}", "cp", f"{helper}:/function/message.txt", message_file)
                docker(f"removal of the helper of {name}", "rm", helper)
                helper = None
                docker(f"removal of the local image of {name}", "image", "rm", image)
                with open(message_file, encoding="utf-8") as f:
                    message = f.read().strip()
                payload = {"function": name, "env": settings.env, "tag": settings.tag, "message": message,
                           "image": image, "artifact": artifact["name"]}
                copy_in(gateway, f"/www/functions/{name}", json.dumps(payload) + "\n", workdir)
                say(f"{name}: deployed (GET /functions/{name})")
                deployed.append({"function": name, "image": image, "artifact": artifact["name"]})
    finally:
        if helper:
            subprocess.run(["docker", "rm", "--force", helper], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(settings.home, exist_ok=True)
    meta = {"env": settings.env, "project": settings.project, "tag": settings.tag,
            "manifest": os.path.abspath(args.artifact), "functions": deployed, "tables": tables}
    with open(settings.meta, "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    debug(f"metadata: {settings.meta}")
    say(f"done: {len(deployed)} function(s) deployed to {settings.env}")


# ------------------------------------------------------------------ provision

def provision(args):
    settings = Settings()
    for what, path in (("compose file", args.compose_file), ("env file", args.env_file)):
        if not os.path.isfile(path):
            raise CtlError(f"{what} not found: {path}")
    if os.environ.get("PROJECT_NAME") and os.environ["PROJECT_NAME"] != args.project:
        raise CtlError(f"--project {args.project} is not PROJECT_NAME={os.environ['PROJECT_NAME']}")
    try:
        with open(settings.meta, encoding="utf-8") as f:
            meta = json.load(f)
    except OSError:
        raise CtlError(f"nothing deployed to {settings.env}: no {settings.meta} (run deploy first)") from None
    if meta.get("project") != args.project:
        raise CtlError(f"{settings.meta} is the deploy of {meta.get('project')}, not of {args.project}")
    say(f"provision project={args.project} compose file={args.compose_file} env file={args.env_file}")
    gateway = service_container(args.project, "gateway")
    database = service_container(args.project, "database")
    wait_inside(gateway, "the gateway", "http://127.0.0.1:8080/health")
    wait_inside(database, "the database", "http://127.0.0.1:8000/status")
    for table in meta.get("tables", []):
        record = json.dumps({"table": table, "env": settings.env, "project": args.project})
        if fetch_inside(database, f"http://127.0.0.1:8000/cgi-bin/kv/table.{table}", post=record) is None:
            raise CtlError(f"creating table {table} in the database of {args.project} failed")
        say(f"table {table}: created")
    marker = {
        "env": settings.env,
        "project": args.project,
        "compose_file": os.path.abspath(args.compose_file),
        "env_file": os.path.abspath(args.env_file),
        "tables": meta.get("tables", []),
        "functions": sorted(f["function"] for f in meta.get("functions", [])),
        "meta_reuse": os.environ.get("ESB_META_REUSE", ""),
        "ctl": os.environ.get("CTL_BIN_RESOLVED", ""),
    }
    workdir = tempfile.mkdtemp(prefix="esb-ctl-")
    try:
        copy_in(gateway, "/www/provisioned.json", json.dumps(marker) + "\n", workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    say(f"done: {args.project} provisioned (GET /provisioned.json)")


# ------------------------------------------------------------------ command line

def parser():
    top = argparse.ArgumentParser(prog=PROG, description="The demo ESB project's ctl (ESB's current layout).")
    top.add_argument("-v", "--verbose", action="store_true", help="print every docker command")
    commands = top.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    d = commands.add_parser("deploy", help="build, push and install the functions of an artifact manifest")
    d.add_argument("--artifact", required=True, metavar="FILE", help="the env's artifact manifest (artifact.yml)")
    d.add_argument("--no-cache", action="store_true", help="build the function images without the build cache")
    d.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="print every docker command")
    d.set_defaults(run=deploy)
    p = commands.add_parser("provision", help="create the deployed resources in a running env, then mark it provisioned")
    p.add_argument("--project", required=True, help="the env's compose project (esb-<env>)")
    p.add_argument("--compose-file", required=True, metavar="FILE", help="the env's docker-compose.yml")
    p.add_argument("--env-file", required=True, metavar="FILE", help="the env's .env")
    p.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="print every docker command")
    p.set_defaults(run=provision)
    return top


def main(argv=None):
    global VERBOSE
    args = parser().parse_args(argv)
    VERBOSE = bool(getattr(args, "verbose", False))
    try:
        args.run(args)
    except CtlError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
