//! The sink catalogue, as data: one entry per API that decides where a server listens.
//!
//! An entry names the callee by qualified name as the resolver spells it (`flask.Flask.run` for
//! the `run` method of a `flask.Flask` instance; `*.bind` for a method whose name alone is
//! distinctive, on any receiver), says which positional index or keyword holds the address and
//! what shape the address has. Adding a framework is one entry here.

use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

use super::address::Accept;

/// How the address argument is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A host string.
    Host,
    /// A host string or a list of them.
    Hosts,
    /// A `(host, port, …)` tuple.
    Addr,
    /// `host:port` (a bare host and `tcp://` allowed).
    HostPort,
    /// `host:port` or a list of them.
    HostPorts,
    /// A URL that must carry a scheme (`tcp://*:5555`).
    Url,
    /// Space-separated `host:port` entries (waitress `listen=`).
    Listen,
    /// A Twisted endpoint description (`tcp:80:interface=…`).
    Endpoint,
    /// An argv list that may start a server.
    Argv,
    /// Every positional argument is one argv entry.
    ArgvStar,
    /// Django `call_command('runserver', addrport)`.
    Django,
    /// A command line written as one string (`os.system("uvicorn … --host 0.0.0.0")`).
    Command,
    /// A command-line flag that alone means all interfaces (`tensorboard --bind_all`).
    Flag,
}

/// Where the address is passed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Arg {
    pub pos: Option<usize>,
    pub kw: &'static str,
    pub shape: Shape,
    pub accept: Accept,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Call,
    /// An attribute assignment (`config.bind = […]`).
    Attr,
}

#[derive(Debug)]
pub(crate) struct Api {
    pub kind: Kind,
    /// For people: `Flask`, `socket`, `gRPC`.
    pub what: &'static str,
    pub names: &'static [&'static str],
    pub args: &'static [Arg],
}

const fn at(pos: usize, kw: &'static str, shape: Shape, accept: Accept) -> Arg {
    Arg { pos: Some(pos), kw, shape, accept }
}

const fn kw(kw: &'static str, shape: Shape, accept: Accept) -> Arg {
    Arg { pos: None, kw, shape, accept }
}

const fn call(what: &'static str, names: &'static [&'static str], args: &'static [Arg]) -> Api {
    Api { kind: Kind::Call, what, names, args }
}

use Shape::*;
const E: Accept = Accept::EMPTY;
const N: Accept = Accept::NONE;
const S: Accept = Accept::STAR;
const Z: Accept = Accept::ZERO;

pub(crate) static CATALOGUE: &[Api] = &[
    // Socket level.
    call("socket", &["*.bind"], &[at(0, "address", Addr, E)]),
    call("socket", &["socket.create_server"], &[at(0, "address", Addr, E)]),
    call(
        "socketserver",
        &[
            "socketserver.TCPServer",
            "socketserver.UDPServer",
            "socketserver.ThreadingTCPServer",
            "socketserver.ThreadingUDPServer",
            "socketserver.ForkingTCPServer",
            "socketserver.ForkingUDPServer",
            "socketserver.BaseServer",
            "http.server.HTTPServer",
            "http.server.ThreadingHTTPServer",
            "xmlrpc.server.SimpleXMLRPCServer",
            "xmlrpc.server.DocXMLRPCServer",
            "wsgiref.simple_server.WSGIServer",
        ],
        &[at(0, "server_address", Addr, E)],
    ),
    call("wsgiref", &["wsgiref.simple_server.make_server"], &[at(0, "host", Host, E)]),
    call(
        "asyncio",
        &["asyncio.start_server", "asyncio.Loop.create_server", "?.create_server"],
        &[at(1, "host", Hosts, E)],
    ),
    call(
        "asyncio",
        &["asyncio.Loop.create_datagram_endpoint", "?.create_datagram_endpoint"],
        &[kw("local_addr", Addr, E)],
    ),
    call(
        "multiprocessing",
        &[
            "multiprocessing.managers.BaseManager",
            "multiprocessing.managers.SyncManager",
            "multiprocessing.managers.SharedMemoryManager",
        ],
        &[at(0, "address", Addr, E)],
    ),
    call("http.server", &["http.server.test"], &[at(4, "bind", Host, E)]),
    // Web frameworks and servers.
    call("Flask", &["flask.Flask.run", "flask.app.Flask.run"], &[at(0, "host", Host, N)]),
    call("Quart", &["quart.Quart.run", "quart.app.Quart.run"], &[at(0, "host", Host, N)]),
    call("Sanic", &["sanic.Sanic.run", "sanic.app.Sanic.run"], &[at(0, "host", Host, N)]),
    call("Dash", &["dash.Dash.run", "dash.Dash.run_server"], &[at(0, "host", Host, N)]),
    call("Flask-SocketIO", &["flask_socketio.SocketIO.run"], &[at(1, "host", Host, N)]),
    call("Bottle", &["bottle.run"], &[at(2, "host", Host, N)]),
    call("Bottle", &["bottle.Bottle.run"], &[kw("host", Host, N)]),
    call(
        "Tornado",
        &[
            "tornado.web.Application.listen",
            "tornado.httpserver.HTTPServer.listen",
            "tornado.httpserver.HTTPServer.bind",
            "tornado.tcpserver.TCPServer.listen",
            "tornado.tcpserver.TCPServer.bind",
            "tornado.netutil.bind_sockets",
        ],
        &[at(1, "address", Host, E)],
    ),
    call("aiohttp", &["aiohttp.web.run_app"], &[kw("host", Hosts, N)]),
    call("aiohttp", &["aiohttp.web.TCPSite", "aiohttp.web_runner.TCPSite"], &[at(1, "host", Host, N)]),
    call("uvicorn", &["uvicorn.run", "uvicorn.main.run"], &[kw("host", Host, N)]),
    call("uvicorn", &["uvicorn.Config", "uvicorn.config.Config"], &[at(1, "host", Host, N)]),
    Api {
        kind: Kind::Attr,
        what: "Hypercorn",
        names: &[
            "hypercorn.config.Config.bind",
            "hypercorn.config.Config.insecure_bind",
            "hypercorn.config.Config.quic_bind",
            "hypercorn.Config.bind",
        ],
        args: &[kw("", HostPorts, N)],
    },
    Api { kind: Kind::Attr, what: "CherryPy", names: &["cherrypy.server.socket_host"], args: &[kw("", Host, N)] },
    call(
        "waitress",
        &["waitress.serve", "waitress.server.create_server"],
        &[kw("host", Host, N), kw("listen", Listen, S)],
    ),
    call("Werkzeug", &["werkzeug.serving.run_simple", "werkzeug.run_simple"], &[at(0, "hostname", Host, N)]),
    call("Django", &["django.core.management.call_command"], &[kw("addrport", Django, Z)]),
    call("Django", &["django.core.management.execute_from_command_line"], &[at(0, "argv", Argv, N)]),
    call("Gradio", &["gradio.*.launch"], &[kw("server_name", Host, N)]),
    call("Bokeh", &["bokeh.server.server.Server"], &[kw("address", Host, N)]),
    call("Ray", &["ray.init"], &[kw("dashboard_host", Host, N)]),
    call("Dask", &["dask.distributed.LocalCluster"], &[kw("host", Host, N), kw("dashboard_address", HostPort, N)]),
    // RPC, messaging and protocol servers.
    call("gRPC", &["*.add_insecure_port", "*.add_secure_port"], &[at(0, "address", HostPort, N)]),
    call("ZeroMQ", &["*.bind", "*.bind_to_random_port"], &[at(0, "addr", Url, S)]),
    call("Twisted", &["*.listenTCP"], &[at(3, "interface", Host, E)]),
    call("Twisted", &["*.listenUDP"], &[at(2, "interface", Host, E)]),
    call("Twisted", &["*.listenSSL"], &[at(4, "interface", Host, E)]),
    call(
        "Twisted",
        &["twisted.internet.endpoints.TCP4ServerEndpoint", "twisted.internet.endpoints.TCP6ServerEndpoint"],
        &[at(3, "interface", Host, E)],
    ),
    call("Twisted", &["twisted.internet.endpoints.serverFromString"], &[at(1, "description", Endpoint, N)]),
    call(
        "pyftpdlib",
        &[
            "pyftpdlib.servers.FTPServer",
            "pyftpdlib.servers.ThreadedFTPServer",
            "pyftpdlib.servers.MultiprocessFTPServer",
        ],
        &[at(0, "address_or_socket", Addr, E)],
    ),
    call(
        "prometheus_client",
        &[
            "prometheus_client.start_http_server",
            "prometheus_client.start_wsgi_server",
            "prometheus_client.exposition.start_http_server",
        ],
        &[at(1, "addr", Host, E)],
    ),
    call("aiosmtpd", &["aiosmtpd.controller.Controller"], &[at(1, "hostname", Host, N)]),
    call("dnslib", &["dnslib.server.DNSServer"], &[at(1, "address", Host, E)]),
    // Command lines.
    call(
        "subprocess",
        &["subprocess.Popen", "subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output"],
        &[at(0, "args", Argv, N)],
    ),
    call("os.exec", &["os.execv", "os.execvp", "os.execve", "os.execvpe"], &[at(1, "args", Argv, N)]),
    call("os.system", &["os.system", "os.popen"], &[at(0, "command", Command, N)]),
    call("asyncio", &["asyncio.create_subprocess_exec"], &[at(0, "", ArgvStar, N)]),
];

/// Calls that return a known type: callee → returned class (`=`: the receiver's own type).
static FACTORIES: &[(&str, &str)] = &[
    ("grpc.server", "grpc.Server"),
    ("grpc.aio.server", "grpc.Server"),
    ("zmq.Context.socket", "zmq.Socket"),
    ("zmq.Context.instance", "zmq.Context"),
    ("zmq.asyncio.Context.socket", "zmq.Socket"),
    ("zmq.asyncio.Context.instance", "zmq.asyncio.Context"),
    ("asyncio.get_running_loop", "asyncio.Loop"),
    ("asyncio.get_event_loop", "asyncio.Loop"),
    ("asyncio.new_event_loop", "asyncio.Loop"),
    ("uvloop.new_event_loop", "asyncio.Loop"),
    ("gradio.*.queue", "="),
];

/// `*.x` matches any key ending in `.x`; a `*` segment matches one segment.
pub(crate) fn matches(pattern: &str, key: &str) -> bool {
    if let Some(suffix) = pattern.strip_prefix('*') {
        return key.ends_with(suffix);
    }
    let mut p = pattern.split('.');
    let mut k = key.split('.');
    loop {
        match (p.next(), k.next()) {
            (None, None) => return true,
            (Some(ps), Some(ks)) if ps == "*" || ps == ks => {}
            _ => return false,
        }
    }
}

/// Catalogue entries whose name matches `key`, looked up by the key's last segment.
pub(crate) fn apis(key: &str, kind: Kind) -> impl Iterator<Item = &'static Api> + '_ {
    let method = key.rsplit('.').next().unwrap_or(key);
    let candidates = lookup().by_method.get(method).map(Vec::as_slice).unwrap_or_default();
    let mut last = None;
    candidates.iter().filter_map(move |&(api, name)| {
        let hit = api.kind == kind && !last.is_some_and(|l| std::ptr::eq(l, api)) && matches(name, key);
        if hit {
            last = Some(api);
        }
        hit.then_some(api)
    })
}

/// Wrappers that call a callable with arguments: the callable's position or keyword, and where
/// its arguments come from.
pub(crate) struct Invoker {
    pub names: &'static [&'static str],
    pub callable: (Option<usize>, &'static str),
    pub args: InvokerArgs,
}

pub(crate) enum InvokerArgs {
    /// Every argument after the callable (`defer.execute(f, *args, **kw)`).
    Rest,
    /// An `args` tuple and a `kwargs` mapping (`Thread(target=f, args=(…), kwargs={…})`).
    Packed { args: (Option<usize>, &'static str), kwargs: (Option<usize>, &'static str) },
}

const REST: InvokerArgs = InvokerArgs::Rest;

pub(crate) static INVOKERS: &[Invoker] = &[
    Invoker { names: &["functools.partial", "functools.partialmethod"], callable: (Some(0), "func"), args: REST },
    Invoker {
        names: &["threading.Thread", "multiprocessing.Process", "multiprocessing.context.Process"],
        callable: (Some(1), "target"),
        args: InvokerArgs::Packed { args: (Some(3), "args"), kwargs: (Some(4), "kwargs") },
    },
    Invoker {
        names: &["threading.Timer"],
        callable: (Some(1), "function"),
        args: InvokerArgs::Packed { args: (Some(2), "args"), kwargs: (Some(3), "kwargs") },
    },
    Invoker {
        names: &["_thread.start_new_thread", "thread.start_new_thread"],
        callable: (Some(0), "function"),
        args: InvokerArgs::Packed { args: (Some(1), "args"), kwargs: (Some(2), "kwargs") },
    },
    Invoker {
        names: &[
            "*.submit",
            "*.callWhenRunning",
            "*.callFromThread",
            "*.callInThread",
            "*.deferToThread",
            "*.maybeDeferred",
            "twisted.internet.defer.execute",
            "twisted.internet.threads.deferToThread",
            "asyncio.to_thread",
            "*.spawn",
            "*.spawn_n",
            "*.start_soon",
            "*.run_sync",
            "*.call_soon",
            "*.call_soon_threadsafe",
            "trio.run",
            "anyio.run",
        ],
        callable: (Some(0), ""),
        args: REST,
    },
    Invoker {
        names: &["*.callLater", "*.call_later", "*.run_in_executor", "*.spawn_later"],
        callable: (Some(1), ""),
        args: REST,
    },
    Invoker { names: &["twisted.internet.task.deferLater"], callable: (Some(2), ""), args: REST },
];

/// The wrapper a callee key names.
pub(crate) fn invoker_for(key: &str) -> Option<&'static Invoker> {
    INVOKERS.iter().find(|i| i.names.iter().any(|n| matches(n, key)))
}

/// Whether a method of this name may be a wrapper (checked before resolving a call).
pub(crate) fn invoker(method: &str) -> Option<&'static Invoker> {
    INVOKERS.iter().find(|i| i.names.iter().any(|n| n.rsplit('.').next() == Some(method)))
}

/// Entry points on receivers nobody can resolve (`from myproject import app; app.run(…)`):
/// judged by the call's shape, as the same-named catalogued APIs take their host.
pub(crate) static UNRESOLVED: &[Api] = &[
    call("a server", &["?.run", "?.run_server"], &[at(0, "host", Host, N)]),
    call("a server", &["?.launch"], &[kw("server_name", Host, N)]),
    call("a server", &["?.listen"], &[at(1, "address", Host, N), kw("host", Host, N), kw("interface", Host, N)]),
    call("a server", &["?.serve"], &[kw("host", Host, N)]),
    call("a server", &["?.start_server", "?.create_server"], &[at(1, "host", Hosts, N)]),
];

/// Library classes whose entry-point methods are clients (`fabric.Connection(…).run(cmd)`).
const CLIENTS: &[&str] = &["fabric", "invoke", "paramiko", "docker", "subprocess", "asyncio", "trio", "anyio"];

/// The shape rule for `receiver.method` when the receiver is not a library the catalogue
/// knows and not a project class (those resolve and are judged by what they are).
pub(crate) fn unresolved_entry(key: &str) -> Option<&'static Api> {
    let (receiver, method) = key.rsplit_once('.')?;
    let root = receiver.split('.').next().unwrap_or(receiver);
    if receiver != "?" && (knows(receiver) || CLIENTS.contains(&root)) {
        return None;
    }
    UNRESOLVED.iter().find(|api| api.names.iter().any(|n| n.rsplit('.').next() == Some(method)))
}

/// Address families whose "address" is not an IP host: a path, an interface name, a device.
pub(crate) fn non_ip_family(name: Option<&str>) -> bool {
    let Some(name) = name else { return false };
    let family = name.strip_prefix("AF_").or_else(|| name.strip_prefix("PF_"));
    family.is_some_and(|f| {
        matches!(
            f,
            "UNIX"
                | "CAN"
                | "PACKET"
                | "NETLINK"
                | "BLUETOOTH"
                | "VSOCK"
                | "TIPC"
                | "ALG"
                | "QIPCRTR"
                | "RDS"
                | "LOCAL"
        )
    })
}

/// Whether the catalogue knows the library a qualified name belongs to (its top-level module).
pub(crate) fn knows(qualified: &str) -> bool {
    if qualified.starts_with('.') {
        return false;
    }
    let root = qualified.split('.').next().unwrap_or(qualified);
    lookup().roots.contains(root)
}

pub(crate) fn factory(key: &str) -> Option<&'static str> {
    let method = key.rsplit('.').next().unwrap_or(key);
    let candidates = lookup().factories.get(method).map(Vec::as_slice).unwrap_or_default();
    candidates.iter().find(|(p, _)| matches(p, key)).map(|(_, r)| *r)
}

/// A factory call `receiver_type.method()`, without building the key string.
pub(crate) fn bound_factory(receiver: &str, method: &str) -> Option<&'static str> {
    let candidates = lookup().factories.get(method).map(Vec::as_slice).unwrap_or_default();
    candidates
        .iter()
        .find(|(p, _)| p.strip_suffix(method).and_then(|p| p.strip_suffix('.')).is_some_and(|p| matches(p, receiver)))
        .map(|(_, r)| *r)
}

/// The last identifier of every callee in the catalogue: calls whose method name is not one of
/// these are not resolved at all.
pub(crate) fn is_sink_method(name: &str) -> bool {
    lookup().by_method.contains_key(name)
}

/// Whether a method call can reach a catalogued API: the method is catalogued, or is
/// `functools.partial`, which wraps one. (A call of a plain name may be an alias of anything.)
pub(crate) fn is_call_sink_method(name: &str) -> bool {
    is_sink_method(name) || name == "partial"
}

/// Attribute names that an attribute-assignment entry can end in (`bind`, `socket_host`).
pub(crate) fn is_attr_sink(name: &str) -> bool {
    lookup().by_method.get(name).is_some_and(|c| c.iter().any(|(api, _)| api.kind == Kind::Attr))
}

/// The catalogue and factories indexed by last segment, built once: matching runs for every
/// call in every parsed file, so it must not scan and split the whole catalogue each time.
struct Lookup {
    /// Entries are listed in catalogue order, one per name.
    by_method: HashMap<&'static str, Vec<(&'static Api, &'static str)>>,
    factories: HashMap<&'static str, Vec<(&'static str, &'static str)>>,
    /// Top-level modules of every catalogued name.
    roots: rustc_hash::FxHashSet<&'static str>,
}

fn lookup() -> &'static Lookup {
    static LOOKUP: OnceLock<Lookup> = OnceLock::new();
    LOOKUP.get_or_init(|| {
        let mut by_method: HashMap<&'static str, Vec<(&'static Api, &'static str)>> = HashMap::default();
        for api in CATALOGUE {
            for name in api.names {
                by_method.entry(last_segment(name)).or_default().push((api, name));
            }
        }
        let mut factories: HashMap<&'static str, Vec<(&'static str, &'static str)>> = HashMap::default();
        for &(pattern, ret) in FACTORIES {
            factories.entry(last_segment(pattern)).or_default().push((pattern, ret));
        }
        let names = CATALOGUE.iter().flat_map(|api| api.names.iter().copied());
        let names = names.chain(FACTORIES.iter().map(|(n, _)| *n));
        let names = names.chain(INVOKERS.iter().flat_map(|i| i.names.iter().copied()));
        let roots =
            names.filter(|n| !n.starts_with('*') && !n.starts_with('?')).map(|n| n.split('.').next().unwrap_or(n));
        let roots = roots.chain(["os", "sys", "typing", "contextlib", "functools", "collections"]).collect();
        Lookup { by_method, factories, roots }
    })
}

fn last_segment(name: &'static str) -> &'static str {
    name.rsplit('.').next().unwrap_or(name)
}

/// A configuration name that holds a listen address (spec §2, "Configuration").
pub(crate) fn config_key(name: &str) -> Option<(Shape, Accept)> {
    let mut segments = name.rsplit('.');
    let last = segments.next().unwrap_or(name);
    if last == "ip" && segments.next().is_some_and(|app| matches!(app, "ServerApp" | "NotebookApp" | "LabApp")) {
        return Some((Host, S));
    }
    if last == "socket_host" {
        return Some((Host, N));
    }
    (contains_ignore_case(last, "bind") || contains_ignore_case(last, "listen")).then_some((HostPorts, S))
}

fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    hay.as_bytes().windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Server programs that an argv list may start, and their host flags.
pub(crate) struct Program {
    pub names: &'static [&'static str],
    pub flags: &'static [(&'static str, Shape, Accept)],
    /// Django: the positional after `runserver` is `addrport`.
    pub runserver: bool,
}

pub(crate) static PROGRAMS: &[Program] = &[
    Program { names: &["uvicorn"], flags: &[("--host", Host, N)], runserver: false },
    Program {
        names: &["gunicorn", "hypercorn"],
        flags: &[("-b", HostPort, S), ("--bind", HostPort, S)],
        runserver: false,
    },
    Program { names: &["daphne"], flags: &[("-b", Host, N), ("--bind", Host, N)], runserver: false },
    Program { names: &["waitress-serve"], flags: &[("--host", Host, N), ("--listen", Listen, S)], runserver: false },
    Program {
        names: &["jupyter", "jupyter-lab", "jupyter-notebook", "jupyter-server", "jupyterlab", "notebook"],
        flags: &[("--ip", Host, S)],
        runserver: false,
    },
    Program { names: &["flask"], flags: &[("--host", Host, N), ("-h", Host, N)], runserver: false },
    Program { names: &["http.server"], flags: &[("--bind", Host, E), ("-b", Host, E)], runserver: false },
    Program { names: &["streamlit"], flags: &[("--server.address", Host, N)], runserver: false },
    Program { names: &["manage.py", "django-admin", "django"], flags: &[], runserver: true },
];

pub(crate) fn program(name: &str) -> Option<&'static Program> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let base = base.strip_suffix(".exe").unwrap_or(base);
    PROGRAMS.iter().find(|p| p.names.contains(&base))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(matches("*.bind", "socket.socket.bind"));
        assert!(matches("*.bind", "?.bind"));
        assert!(!matches("*.bind", "x.bind_all"));
        assert!(matches("gradio.*.launch", "gradio.Interface.launch"));
        assert!(!matches("gradio.*.launch", "gradio.launch"));
        assert!(matches("flask.Flask.run", "flask.Flask.run"));
        assert!(!matches("flask.Flask.run", "fabric.Connection.run"));
    }

    #[test]
    fn catalogue_lookups() {
        assert_eq!(apis("flask.Flask.run", Kind::Call).count(), 1);
        assert_eq!(apis("zmq.Socket.bind", Kind::Call).count(), 2);
        assert_eq!(apis("local.Sweep.run", Kind::Call).count(), 0);
        assert_eq!(factory("gradio.Blocks.queue"), Some("="));
        assert!(is_sink_method("run_server") && !is_sink_method("connect"));
    }

    #[test]
    fn configuration_names() {
        assert_eq!(config_key("c.ServerApp.ip").map(|c| c.0), Some(Host));
        assert!(config_key("bind_host").is_some() && config_key("LISTEN_ADDRESS").is_some());
        assert!(config_key("server.socket_host").is_some());
        assert!(config_key("SINKHOLE_HOST").is_none() && config_key("ip").is_none());
    }

    #[test]
    fn programs() {
        assert!(program("/usr/bin/gunicorn").is_some());
        assert!(program("curl").is_none() && program("redis-cli").is_none());
    }
}
