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
    /// A Twisted endpoint description or a list of them (daphne `endpoints=`).
    Endpoints,
    /// A `(host, port)` tuple or a `host:port` string (gevent `listener`); `'*'` counts only in
    /// the string.
    AddrOrHostPort,
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
    /// The position of a server-class argument (`make_server(…, server_class)`): a project class
    /// with no library base there never binds.
    pub server_class: Option<usize>,
}

const fn at(pos: usize, kw: &'static str, shape: Shape, accept: Accept) -> Arg {
    Arg { pos: Some(pos), kw, shape, accept }
}

const fn kw(kw: &'static str, shape: Shape, accept: Accept) -> Arg {
    Arg { pos: None, kw, shape, accept }
}

const fn call(what: &'static str, names: &'static [&'static str], args: &'static [Arg]) -> Api {
    Api { kind: Kind::Call, what, names, args, server_class: None }
}

/// An API that also takes a server class at `position`.
const fn with_server_class(api: Api, position: usize) -> Api {
    Api { server_class: Some(position), ..api }
}

use Shape::{
    Addr, AddrOrHostPort, Argv, ArgvStar, Command, Django, Endpoint, Endpoints, Flag, Host, HostPort, HostPorts, Hosts,
    Listen, Url,
};
const E: Accept = Accept::EMPTY;
const N: Accept = Accept::NONE;
const S: Accept = Accept::STAR;
const Z: Accept = Accept::ZERO;
/// `''` and `'*'` both mean all interfaces (Jupyter, gevent `'*:8080'`, nng `tcp://*:p`).
const ES: Accept = Accept::EMPTY_STAR;

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
            "wsgiref.simple_server.WSGIServer",
        ],
        &[at(0, "server_address", Addr, E)],
    ),
    call(
        "xmlrpc.server",
        &["xmlrpc.server.SimpleXMLRPCServer", "xmlrpc.server.MultiPathXMLRPCServer", "xmlrpc.server.DocXMLRPCServer"],
        &[at(0, "addr", Addr, E)],
    ),
    call(
        "smtpd",
        &["smtpd.SMTPServer", "smtpd.DebuggingServer", "smtpd.PureProxy", "smtpd.MailmanProxy"],
        &[at(0, "localaddr", Addr, E)],
    ),
    call("pydoc", &["pydoc.browse"], &[kw("hostname", Host, E)]),
    with_server_class(call("wsgiref", &["wsgiref.simple_server.make_server"], &[at(0, "host", Host, E)]), 3),
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
    with_server_class(call("http.server", &["http.server.test"], &[at(4, "bind", Host, N)]), 1),
    // Web frameworks and servers.
    call("Flask", &["flask.Flask.run", "flask.app.Flask.run"], &[at(0, "host", Host, N)]),
    call(
        "Quart",
        &["quart.Quart.run", "quart.app.Quart.run", "quart.Quart.run_task", "quart.app.Quart.run_task"],
        &[at(0, "host", Host, E)],
    ),
    call(
        "Sanic",
        &["sanic.Sanic.run", "sanic.app.Sanic.run", "sanic.Sanic.prepare", "sanic.app.Sanic.prepare"],
        &[at(0, "host", Host, N)],
    ),
    call("Sanic", &["sanic.server.socket.bind_socket"], &[at(0, "host", Host, E)]),
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
    call("aiohttp", &["aiohttp.web.run_app"], &[kw("host", Hosts, E)]),
    call("aiohttp", &["aiohttp.web.TCPSite", "aiohttp.web_runner.TCPSite"], &[at(1, "host", Host, E)]),
    call("uvicorn", &["uvicorn.run", "uvicorn.main.run"], &[kw("host", Host, E)]),
    call("uvicorn", &["uvicorn.Config", "uvicorn.config.Config"], &[at(1, "host", Host, E)]),
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
        server_class: None,
    },
    Api {
        kind: Kind::Attr,
        what: "CherryPy",
        names: &["cherrypy.server.socket_host"],
        args: &[kw("", Host, N)],
        server_class: None,
    },
    call(
        "waitress",
        &["waitress.serve", "waitress.server.create_server"],
        &[kw("host", Host, N), kw("listen", Listen, S)],
    ),
    call("Werkzeug", &["werkzeug.serving.run_simple", "werkzeug.run_simple"], &[at(0, "hostname", Host, E)]),
    call("Django", &["django.core.management.call_command"], &[kw("addrport", Django, Z)]),
    call("Django", &["django.core.management.execute_from_command_line"], &[at(0, "argv", Argv, N)]),
    call("Django", &["django.core.servers.basehttp.run"], &[at(0, "addr", Host, E)]),
    call("Gradio", &["gradio.*.launch"], &[kw("server_name", Host, N)]),
    call("Bokeh", &["bokeh.server.server.Server"], &[kw("address", Host, E)]),
    call("Ray", &["ray.init"], &[kw("dashboard_host", Host, N)]),
    call("Dask", &["dask.distributed.LocalCluster"], &[kw("host", Host, N), kw("dashboard_address", HostPort, N)]),
    // RPC, messaging and protocol servers.
    call("gRPC", &["*.add_insecure_port", "*.add_secure_port"], &[at(0, "address", HostPort, N)]),
    call("ZeroMQ", &["*.bind", "*.bind_to_random_port"], &[at(0, "addr", Url, S)]),
    // libzmq's C API called directly (through cffi or ctypes): `C.zmq_bind(socket, b'tcp://*:1')`.
    call("libzmq", &["*.zmq_bind"], &[at(1, "addr", Url, S)]),
    call(
        "ZeroMQ",
        &[
            "zmq.devices.*.bind_in",
            "zmq.devices.*.bind_out",
            "zmq.devices.*.bind_mon",
            "zmq.devices.*.bind_ctrl",
            "zmq.devices.*.bind_in_to_random_port",
            "zmq.devices.*.bind_out_to_random_port",
        ],
        &[at(0, "addr", Url, S)],
    ),
    call(
        "Jupyter",
        &[
            "jupyter_client.KernelManager",
            "jupyter_client.AsyncKernelManager",
            "jupyter_client.manager.KernelManager",
            "jupyter_client.manager.AsyncKernelManager",
        ],
        &[kw("ip", Host, S)],
    ),
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
            "prometheus_client.exposition.start_wsgi_server",
        ],
        &[at(1, "addr", Host, N)],
    ),
    call(
        "aiosmtpd",
        &[
            "aiosmtpd.controller.Controller",
            "aiosmtpd.controller.UnthreadedController",
            "aiosmtpd.controller.InetMixin",
        ],
        &[at(1, "hostname", Host, E)],
    ),
    call("dnslib", &["dnslib.server.DNSServer"], &[at(1, "address", Host, E)]),
    call("Twisted", &["*.listenMulticast"], &[at(2, "interface", Host, E)]),
    call(
        "Twisted",
        &[
            "twisted.application.internet.TCPServer",
            "twisted.internet.tcp.Port",
            "twisted.internet.iocpreactor.tcp.Port",
        ],
        &[at(3, "interface", Host, E)],
    ),
    call(
        "Twisted",
        &[
            "twisted.application.internet.UDPServer",
            "twisted.application.internet.MulticastServer",
            "twisted.internet.udp.Port",
            "twisted.internet.udp.MulticastPort",
            "twisted.internet.iocpreactor.udp.Port",
            "twisted.internet.iocpreactor.udp.MulticastPort",
        ],
        &[at(2, "interface", Host, E)],
    ),
    call(
        "Twisted",
        &["twisted.application.internet.SSLServer", "twisted.internet.endpoints.SSL4ServerEndpoint"],
        &[at(4, "interface", Host, E)],
    ),
    call(
        "Twisted",
        &["twisted.application.strports.service", "twisted.application.strports.listen"],
        &[at(0, "description", Endpoint, N)],
    ),
    call(
        "Klein",
        &["klein.Klein.run", "klein.run"],
        &[at(0, "host", Host, E), at(3, "endpoint_description", Endpoint, N)],
    ),
    // More servers (spec §2): green servers, ASGI/WSGI servers, websockets, SSH, RPC, IoT.
    call("eventlet", &["eventlet.listen", "eventlet.convenience.listen"], &[at(0, "addr", Addr, E)]),
    call(
        "eventlet",
        &[
            "eventlet.green.SocketServer.TCPServer",
            "eventlet.green.SocketServer.UDPServer",
            "eventlet.green.SocketServer.ThreadingTCPServer",
            "eventlet.green.BaseHTTPServer.HTTPServer",
            "eventlet.green.http.server.HTTPServer",
        ],
        &[at(0, "server_address", Addr, E)],
    ),
    call(
        "gevent",
        &[
            "gevent.pywsgi.WSGIServer",
            // The module's old name, still imported by older code.
            "gevent.wsgi.WSGIServer",
            "gevent.server.StreamServer",
            "gevent.server.DatagramServer",
            "gevent.baseserver.BaseServer",
            "gevent.backdoor.BackdoorServer",
        ],
        &[at(0, "listener", AddrOrHostPort, ES)],
    ),
    call(
        "gevent",
        &[
            "gevent.server.StreamServer.get_listener",
            "gevent.server.DatagramServer.get_listener",
            "gevent.server._tcp_listener",
            "gevent.server._udp_socket",
        ],
        &[at(0, "address", Addr, E)],
    ),
    call(
        "Werkzeug",
        &[
            "werkzeug.serving.make_server",
            "werkzeug.serving.BaseWSGIServer",
            "werkzeug.serving.ThreadedWSGIServer",
            "werkzeug.serving.ForkingWSGIServer",
        ],
        &[at(0, "host", Host, E)],
    ),
    call("Sanic", &["sanic.Sanic.create_server", "sanic.app.Sanic.create_server"], &[at(0, "host", Host, N)]),
    call(
        "websockets",
        &[
            "websockets.serve",
            "websockets.route",
            "websockets.asyncio.server.serve",
            "websockets.asyncio.router.route",
            "websockets.server.serve",
            "websockets.legacy.server.serve",
            "websockets.legacy.server.Serve",
            "websockets.sync.server.serve",
            "websockets.sync.router.route",
        ],
        &[at(1, "host", Hosts, E)],
    ),
    call("websockets", &["websockets.trio.server.serve", "websockets.trio.router.route"], &[kw("host", Host, N)]),
    call("multiprocessing", &["multiprocessing.connection.Listener"], &[at(0, "address", Addr, E)]),
    call(
        "cheroot",
        &["cheroot.wsgi.Server", "cheroot.wsgi.WSGIServer", "cheroot.server.HTTPServer"],
        &[at(0, "bind_addr", Addr, N)],
    ),
    Api {
        kind: Kind::Attr,
        what: "CherryPy",
        names: &["cherrypy.server.bind_addr", "cherrypy._cpserver.Server.bind_addr"],
        args: &[kw("", Addr, N)],
        server_class: None,
    },
    call(
        "asyncssh",
        &[
            "asyncssh.listen",
            "asyncssh.connection.listen",
            "asyncssh.listen_reverse",
            "asyncssh.connection.listen_reverse",
        ],
        &[at(0, "host", Host, E)],
    ),
    call("asyncssh", &["asyncssh.create_server", "asyncssh.connection.create_server"], &[at(1, "host", Host, E)]),
    call(
        "asyncssh",
        &[
            "asyncssh.SSHClientConnection.forward_local_port",
            "asyncssh.SSHServerConnection.forward_local_port",
            "asyncssh.connection.SSHClientConnection.forward_local_port",
            "asyncssh.connection.SSHServerConnection.forward_local_port",
            "?.forward_local_port",
            "asyncssh.SSHClientConnection.forward_local_port_to_path",
            "asyncssh.connection.SSHClientConnection.forward_local_port_to_path",
            "?.forward_local_port_to_path",
            "asyncssh.SSHClientConnection.forward_socks",
            "asyncssh.connection.SSHClientConnection.forward_socks",
            "?.forward_socks",
        ],
        &[at(0, "listen_host", Host, E)],
    ),
    call("daphne", &["daphne.server.Server"], &[at(1, "endpoints", Endpoints, N)]),
    call("daphne", &["daphne.endpoints.build_endpoint_description_strings"], &[at(0, "host", Host, N)]),
    call(
        "granian",
        &[
            "granian.Granian",
            "granian.server.Server",
            "granian.server.MPServer",
            "granian.server.MTServer",
            "granian.server.mp.MPServer",
            "granian.server.mt.MTServer",
            "granian.server.embed.Server",
        ],
        &[at(1, "address", Host, N), kw("metrics_address", Host, N)],
    ),
    call("bjoern", &["bjoern.run", "bjoern.listen"], &[at(1, "host", Host, E)]),
    call("bjoern", &["bjoern.bind_and_listen"], &[at(0, "host", Host, E)]),
    call("meinheld", &["meinheld.listen", "meinheld.server.listen"], &[at(0, "address", Addr, N)]),
    call(
        "pynng",
        &[
            "pynng.Bus0",
            "pynng.Pair0",
            "pynng.Pair1",
            "pynng.Push0",
            "pynng.Pull0",
            "pynng.Pub0",
            "pynng.Sub0",
            "pynng.Req0",
            "pynng.Rep0",
            "pynng.Surveyor0",
            "pynng.Respondent0",
        ],
        &[kw("listen", Url, ES)],
    ),
    call("pynng", &["pynng.*.listen", "pynng.nng.*.listen"], &[at(0, "address", Url, ES)]),
    call("paste", &["paste.httpserver.serve"], &[at(1, "host", HostPort, N)]),
    call(
        "Panel",
        &["panel.serve", "panel.io.serve", "panel.io.server.serve", "panel.io.server.get_server"],
        &[at(2, "address", Host, E)],
    ),
    call("Panel", &["panel.*.show", "panel.*.*.show"], &[at(2, "address", Host, E)]),
    call("TensorBoard", &["tensorboard.program.TensorBoard.configure"], &[kw("host", Host, E)]),
    call("Ray Serve", &["ray.serve.HTTPOptions", "ray.serve.config.HTTPOptions"], &[kw("host", Host, E)]),
    call(
        "Dask",
        &["dask.distributed.Scheduler", "dask.distributed.Worker", "dask.distributed.Nanny"],
        &[kw("host", Host, E)],
    ),
    call("Locust", &["locust.env.Environment.create_web_ui"], &[at(0, "host", Host, E)]),
    call("Locust", &["locust.env.Environment.create_master_runner"], &[at(0, "master_bind_host", Host, S)]),
    call("Locust", &["locust.web.WebUI"], &[at(1, "host", Host, E)]),
    call(
        "PyWebIO",
        &[
            "pywebio.start_server",
            "pywebio.platform.start_server",
            "pywebio.platform.tornado.start_server",
            "pywebio.platform.tornado_http.start_server",
            "pywebio.platform.aiohttp.start_server",
            "pywebio.platform.fastapi.start_server",
            "pywebio.platform.django.start_server",
            "pywebio.platform.path_deploy",
            "pywebio.platform.path_deploy_http",
        ],
        &[at(2, "host", Host, E)],
    ),
    call("PyWebIO", &["pywebio.platform.flask.start_server"], &[at(2, "host", Host, N)]),
    call("NiceGUI", &["nicegui.ui.run"], &[kw("host", Host, E)]),
    call("Shiny", &["shiny.run_app"], &[at(1, "host", Host, E)]),
    call("Robyn", &["robyn.Robyn.start"], &[at(0, "host", Host, N)]),
    call("socketify", &["socketify.AppListenOptions"], &[at(1, "host", Host, N)]),
    call("Eel", &["eel.start"], &[kw("host", Host, E)]),
    call(
        "websocket-server",
        &["websocket_server.WebsocketServer", "websocket_server.websocket_server.WebsocketServer"],
        &[at(0, "host", Host, E)],
    ),
    call(
        "SimpleWebSocketServer",
        &[
            "SimpleWebSocketServer.SimpleWebSocketServer",
            "SimpleWebSocketServer.SimpleSSLWebSocketServer",
            "SimpleWebSocketServer.SimpleWebSocketServer.SimpleWebSocketServer",
            "SimpleWebSocketServer.SimpleWebSocketServer.SimpleSSLWebSocketServer",
        ],
        &[at(0, "host", Host, E)],
    ),
    call(
        "rpyc",
        &[
            "rpyc.ThreadedServer",
            "rpyc.ThreadPoolServer",
            "rpyc.ForkingServer",
            "rpyc.OneShotServer",
            "rpyc.utils.server.Server",
            "rpyc.utils.server.ThreadedServer",
            "rpyc.utils.server.ThreadPoolServer",
            "rpyc.utils.server.ForkingServer",
            "rpyc.utils.server.OneShotServer",
            "rpyc.utils.server.GeventServer",
        ],
        &[at(1, "hostname", Host, N)],
    ),
    call(
        "rpyc",
        &["rpyc.utils.registry.UDPRegistryServer", "rpyc.utils.registry.TCPRegistryServer"],
        &[at(0, "host", Host, N)],
    ),
    call(
        "Pyro",
        &[
            "Pyro5.api.Daemon",
            "Pyro5.server.Daemon",
            "Pyro5.api.start_ns",
            "Pyro5.api.start_ns_loop",
            "Pyro5.nameserver.start_ns",
            "Pyro5.nameserver.start_ns_loop",
            "Pyro4.Daemon",
            "Pyro4.core.Daemon",
            "Pyro4.naming.startNS",
            "Pyro4.naming.startNSloop",
        ],
        &[at(0, "host", Host, E)],
    ),
    call(
        "Pyro",
        &["Pyro5.api.serve", "Pyro5.server.serve", "Pyro4.Daemon.serveSimple", "Pyro4.core.Daemon.serveSimple"],
        &[at(1, "host", Host, E)],
    ),
    Api {
        kind: Kind::Attr,
        what: "Pyro",
        names: &["Pyro4.config.HOST", "Pyro5.config.HOST", "Pyro5.api.config.HOST"],
        args: &[kw("", Host, E)],
        server_class: None,
    },
    call(
        "Thrift",
        &["thrift.transport.TSocket.TServerSocket", "thrift.transport.TSSLSocket.TSSLServerSocket"],
        &[at(0, "host", Host, N)],
    ),
    call("Thrift", &["thrift.server.THttpServer.THttpServer"], &[at(1, "server_address", Addr, E)]),
    call(
        "thriftpy2",
        &[
            "thriftpy2.rpc.make_server",
            "thriftpy2.rpc.make_aio_server",
            "thriftpy2.contrib.aio.rpc.make_server",
            "thriftpy2.http.make_server",
        ],
        &[at(2, "host", Host, E)],
    ),
    call(
        "thriftpy2",
        &[
            "thriftpy2.transport.TServerSocket",
            "thriftpy2.transport.TSSLServerSocket",
            "thriftpy2.transport.socket.TServerSocket",
            "thriftpy2.contrib.aio.socket.TAsyncServerSocket",
        ],
        &[at(0, "host", Host, E)],
    ),
    call(
        "pymodbus",
        &[
            "pymodbus.server.ModbusTcpServer",
            "pymodbus.server.ModbusTlsServer",
            "pymodbus.server.StartTcpServer",
            "pymodbus.server.StartAsyncTcpServer",
            "pymodbus.server.StartTlsServer",
            "pymodbus.server.StartAsyncTlsServer",
        ],
        &[kw("address", Addr, E)],
    ),
    call(
        "pymodbus",
        &["pymodbus.server.ModbusUdpServer", "pymodbus.server.StartUdpServer", "pymodbus.server.StartAsyncUdpServer"],
        &[kw("address", Addr, N)],
    ),
    call(
        "OPC UA",
        &[
            "asyncua.Server.set_endpoint",
            "asyncua.server.Server.set_endpoint",
            "asyncua.sync.Server.set_endpoint",
            "opcua.Server.set_endpoint",
        ],
        &[at(0, "url", Url, E)],
    ),
    call(
        "aiocoap",
        &["aiocoap.Context.create_server_context", "aiocoap.protocol.Context.create_server_context"],
        &[at(1, "bind", Addr, N)],
    ),
    call("pysnmp", &["*.open_server_mode", "*.openServerMode"], &[at(0, "iface", Addr, N)]),
    call(
        "trio",
        &["trio.serve_tcp", "trio.open_tcp_listeners", "trio.serve_ssl_over_tcp", "trio.open_ssl_over_tcp_listeners"],
        &[kw("host", Host, N)],
    ),
    call("anyio", &["anyio.create_tcp_listener"], &[kw("local_host", Host, N)]),
    call("anyio", &["anyio.create_udp_socket"], &[kw("local_host", Host, E)]),
    call(
        "curio",
        &["curio.tcp_server", "curio.network.tcp_server", "curio.tcp_server_socket", "curio.network.tcp_server_socket"],
        &[at(0, "host", Host, E)],
    ),
    call("tftpy", &["tftpy.TftpServer.listen", "tftpy.TftpServer.TftpServer.listen"], &[at(0, "listenip", Host, E)]),
    call("impacket", &["impacket.smbserver.SimpleSMBServer"], &[at(0, "listenAddress", Host, E)]),
    call("impacket", &["impacket.smbserver.SMBSERVER"], &[at(0, "server_address", Addr, E)]),
    call("aioquic", &["aioquic.asyncio.serve", "aioquic.asyncio.server.serve"], &[at(0, "host", Host, N)]),
    call(
        "mitmproxy_rs",
        &["mitmproxy_rs.udp.start_udp_server", "mitmproxy_rs.wireguard.start_wireguard_server"],
        &[at(0, "host", Host, E)],
    ),
    call("jsonrpcserver", &["jsonrpcserver.serve", "jsonrpcserver.server.serve"], &[at(0, "name", Host, E)]),
    // Debuggers and consoles: remote code execution when reachable.
    call("debugpy", &["debugpy.listen"], &[at(0, "", Addr, N)]),
    call("web-pdb", &["web_pdb.set_trace", "web_pdb.catch_post_mortem", "web_pdb.WebPdb"], &[at(0, "host", Host, E)]),
    call("web-pdb", &["web_pdb.post_mortem"], &[at(1, "host", Host, E)]),
    call("remote-pdb", &["remote_pdb.RemotePdb", "remote_pdb.set_trace"], &[at(0, "host", Host, E)]),
    call("aiomonitor", &["aiomonitor.start_monitor", "aiomonitor.Monitor"], &[kw("host", Host, E)]),
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
    ("asyncssh.connect", "asyncssh.SSHClientConnection"),
    ("asyncssh.connection.connect", "asyncssh.SSHClientConnection"),
    ("asyncssh.connect_reverse", "asyncssh.SSHServerConnection"),
    ("asyncssh.connection.connect_reverse", "asyncssh.SSHServerConnection"),
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
    let method = key.rsplit('.').next().unwrap_or(key);
    invokers_by_method().get(method)?.iter().find(|(name, _)| matches(name, key)).map(|(_, i)| *i)
}

/// Whether a method of this name may be a wrapper (checked before resolving a call).
pub(crate) fn invoker(method: &str) -> Option<&'static Invoker> {
    invokers_by_method().get(method)?.first().map(|(_, i)| *i)
}

/// The wrappers by the last segment of their names, built once.
fn invokers_by_method() -> &'static HashMap<&'static str, Vec<(&'static str, &'static Invoker)>> {
    static BY_METHOD: OnceLock<HashMap<&'static str, Vec<(&'static str, &'static Invoker)>>> = OnceLock::new();
    BY_METHOD.get_or_init(|| {
        let mut map: HashMap<&'static str, Vec<(&'static str, &'static Invoker)>> = HashMap::default();
        for invoker in INVOKERS {
            for name in invoker.names {
                map.entry(last_segment(name)).or_default().push((name, invoker));
            }
        }
        map
    })
}

/// Entry points on receivers nobody can resolve (`from myproject import app; app.run(…)`):
/// judged by the call's shape, as the same-named catalogued APIs take their host.
pub(crate) static UNRESOLVED: &[Api] = &[
    call("a server", &["?.run", "?.run_server"], &[at(0, "host", Host, N)]),
    call("a server", &["?.launch"], &[kw("server_name", Host, N)]),
    call("a server", &["?.listen"], &[at(1, "address", Host, N), kw("host", Host, N), kw("interface", Host, N)]),
    call("a server", &["?.serve"], &[kw("host", Host, N)]),
    call("a server", &["?.start_server", "?.create_server"], &[at(1, "host", Hosts, N)]),
    // A server class nothing resolves, by the names code gives one (`server_class((host, port),
    // handler)` with the class picked at run time): constructed with a socketserver address.
    call("a server class", &["?.server_class", "?.ServerClass", "?.server_cls"], &[at(0, "server_address", Addr, E)]),
];

/// The shape rule for a plain call of a name nothing resolves: only a server class by its
/// conventional name (a bare `run(…)` or `serve(…)` of unknown origin is not judged).
pub(crate) fn is_unresolved_server_class(name: &str) -> bool {
    matches!(name, "server_class" | "ServerClass" | "server_cls")
}

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

/// A user-declared API (`extend-sinks`) as a catalogue entry; its strings live as long as the
/// process (a run declares a handful, once).
pub(crate) fn user_api(sink: &super::UserSink) -> &'static Api {
    let leak = |s: &str| -> &'static str { Box::leak(s.to_owned().into_boxed_str()) };
    let shape = match sink.shape {
        super::UserShape::Host => Host,
        super::UserShape::Hosts => Hosts,
        super::UserShape::Addr => Addr,
        super::UserShape::HostPort => HostPort,
        super::UserShape::HostPorts => HostPorts,
        super::UserShape::Url => Url,
    };
    let accept = Accept { empty: sink.empty, star: sink.star, zero: sink.zero };
    let arg = Arg { pos: sink.position, kw: sink.keyword.as_deref().map_or("", leak), shape, accept };
    let what = sink.description.as_deref().map_or_else(|| leak(&sink.name), leak);
    let names: &'static [&'static str] = Box::leak(vec![leak(&sink.name)].into_boxed_slice());
    let args: &'static [Arg] = Box::leak(vec![arg].into_boxed_slice());
    Box::leak(Box::new(Api { kind: Kind::Call, what, names, args, server_class: None }))
}

/// Whether a user API's function or method name appears in `bytes` as a word.
pub(crate) fn names_in(api: &Api, bytes: &[u8]) -> bool {
    api.names.iter().any(|name| {
        let word = last_segment(name).as_bytes();
        memchr::memmem::find_iter(bytes, word).any(|at| {
            let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
            !at.checked_sub(1).is_some_and(|i| ident(bytes[i]))
                && !bytes.get(at + word.len()).copied().is_some_and(ident)
        })
    })
}

/// Whether a method name is an entry point the shape rule judges on unknown receivers.
pub(crate) fn is_entry_method(method: &str) -> bool {
    UNRESOLVED.iter().any(|api| api.names.iter().any(|n| n.rsplit('.').next() == Some(method)))
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

/// Traitlets settings (`c.Class.trait = …`, `--Class.trait=…`) that set where a server listens,
/// by class and trait: only these, because other `*_ip` traits name clients (`client_ip` of a
/// kernel connection file, `remote_ip`).
static TRAITS: &[(&str, &str, Shape, Accept)] = &[
    ("ServerApp", "ip", Host, ES),
    ("NotebookApp", "ip", Host, ES),
    ("LabApp", "ip", Host, ES),
    ("Voila", "ip", Host, E),
    ("KernelGatewayApp", "ip", Host, E),
    ("JupyterHub", "ip", Host, E),
    ("JupyterHub", "hub_ip", Host, E),
    ("JupyterHub", "bind_url", HostPort, E),
    ("JupyterHub", "hub_bind_url", HostPort, E),
    ("Spawner", "ip", Host, E),
    ("KernelManager", "ip", Host, S),
    ("ConnectionFileMixin", "ip", Host, S),
    ("IPKernelApp", "ip", Host, S),
    ("IPController", "ip", Host, S),
    ("IPController", "engine_ip", Host, S),
    ("IPController", "client_ip", Host, S),
    ("IPController", "monitor_ip", Host, S),
    ("Cluster", "controller_ip", Host, S),
];

/// A configuration name that holds a listen address (spec §2, "Configuration").
pub(crate) fn config_key(name: &str) -> Option<(Shape, Accept)> {
    let mut segments = name.rsplit('.');
    let last = segments.next().unwrap_or(name);
    if let Some(owner) = segments.next()
        && let Some(&(.., shape, accept)) = TRAITS.iter().find(|(o, t, ..)| *o == owner && *t == last)
    {
        return Some((shape, accept));
    }
    match last {
        "socket_host" => return Some((Host, N)),
        // ipyparallel's `Cluster(controller_ip=…)`; Scrapy's telnet console (a Python shell).
        "controller_ip" => return Some((Host, S)),
        "TELNETCONSOLE_HOST" => return Some((Host, E)),
        _ => {}
    }
    (contains_ignore_case(last, "bind") || contains_ignore_case(last, "listen")).then_some((HostPorts, S))
}

/// What a configuration name the rule matches looks like in a file, for the gate: the
/// owner-qualified traits (`JupyterHub.ip`) and the fixed names.
pub(crate) fn config_fragments() -> Vec<String> {
    let traits = TRAITS.iter().map(|(owner, name, ..)| format!("{owner}.{name}"));
    let fixed = ["socket_host", "controller_ip", "TELNETCONSOLE_HOST", "bind", "listen"].map(str::to_owned);
    traits.chain(fixed).collect()
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

const fn prog(names: &'static [&'static str], flags: &'static [(&'static str, Shape, Accept)]) -> Program {
    Program { names, flags, runserver: false }
}

/// Programs are found by name among the first words of a command (after `python -m`, a path,
/// `sudo`, `celery -A proj` …); a flag is matched anywhere after the program.
pub(crate) static PROGRAMS: &[Program] = &[
    prog(&["uvicorn"], &[("--host", Host, E)]),
    prog(&["gunicorn", "hypercorn"], &[("-b", HostPort, S), ("--bind", HostPort, S)]),
    prog(&["daphne"], &[("-b", Host, N), ("--bind", Host, N), ("-e", Endpoint, N), ("--endpoint", Endpoint, N)]),
    prog(&["waitress-serve"], &[("--host", Host, N), ("--listen", Listen, S)]),
    prog(
        &["jupyter", "jupyter-lab", "jupyter-notebook", "jupyter-server", "jupyterlab", "notebook"],
        &[("--ip", Host, ES), ("--ServerApp.ip", Host, ES), ("--NotebookApp.ip", Host, ES)],
    ),
    prog(&["jupyterhub"], &[("--ip", Host, E), ("--JupyterHub.ip", Host, E), ("--JupyterHub.bind_url", HostPort, E)]),
    prog(&["voila"], &[("--Voila.ip", Host, E)]),
    prog(&["ipcontroller", "ipcluster"], &[("--ip", Host, S)]),
    prog(&["flask", "quart"], &[("--host", Host, E), ("-h", Host, E)]),
    prog(&["http.server"], &[("--bind", Host, N), ("-b", Host, N)]),
    prog(&["pydoc", "pydoc3"], &[("-n", Host, E)]),
    prog(&["streamlit"], &[("--server.address", Host, E)]),
    prog(&["tensorboard", "tensorboard.main"], &[("--host", Host, E), ("--bind_all", Flag, N)]),
    prog(&["mlflow"], &[("--host", Host, E), ("-h", Host, E)]),
    // Flower: `flower --address`, `celery flower --address`, `celery -A proj flower --address`.
    prog(&["flower"], &[("--address", Host, E)]),
    prog(&["granian"], &[("--host", Host, N), ("--metrics-address", Host, N)]),
    prog(&["sanic"], &[("--host", Host, N), ("-H", Host, N)]),
    prog(&["panel", "bokeh"], &[("--address", Host, E)]),
    prog(&["datasette"], &[("--host", Host, E), ("-h", Host, E)]),
    prog(&["locust"], &[("--web-host", Host, E), ("--master-bind-host", Host, ES)]),
    prog(&["ray"], &[("--dashboard-host", Host, E)]),
    prog(
        &["dask", "dask-scheduler", "dask-worker"],
        &[("--host", Host, E), ("--dashboard-address", HostPort, N), ("--listen-address", HostPort, N)],
    ),
    prog(&["mkdocs"], &[("-a", HostPort, N), ("--dev-addr", HostPort, N)]),
    prog(&["fastapi"], &[("--host", Host, E)]),
    // Not `-h`: chainlit's `-h` is `--headless`.
    prog(&["chainlit"], &[("--host", Host, E)]),
    prog(&["litestar"], &[("--host", Host, E), ("-H", Host, E)]),
    prog(&["shiny"], &[("--host", Host, E), ("-h", Host, E)]),
    prog(&["twistd"], &[("--listen", Endpoint, N), ("--port", Endpoint, N), ("--interface", Host, E)]),
    prog(&["pyftpdlib"], &[("--interface", Host, E), ("-i", Host, E)]),
    prog(&["aiohttp.web"], &[("--hostname", Host, E), ("-H", Host, E)]),
    prog(&["mitmproxy", "mitmdump", "mitmweb"], &[("--listen-host", Host, E)]),
    prog(&["pyro5-ns", "pyro4-ns", "Pyro5.nameserver", "Pyro4.naming"], &[("--host", Host, E), ("-n", Host, E)]),
    prog(&["debugpy"], &[("--listen", HostPort, N)]),
    prog(&["rpyc_classic", "rpyc_classic.py"], &[("--host", Host, N)]),
    prog(&["bottle", "bottle.py"], &[("--bind", HostPort, N), ("-b", HostPort, N)]),
    prog(&["cheroot"], &[("--bind", HostPort, N)]),
    prog(&["aiosmtpd"], &[("--listen", HostPort, N), ("-l", HostPort, N)]),
    // An open proxy: `pproxy -l http+socks4+socks5://0.0.0.0:8080/` (an empty host is all too).
    prog(&["pproxy"], &[("-l", HostPort, E)]),
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
        assert_eq!(apis("asyncssh.SSHClientConnection.forward_local_port", Kind::Call).count(), 1);
        assert_eq!(apis("asyncssh.SSHClientConnection.forward_remote_port", Kind::Call).count(), 0);
        assert_eq!(apis("pynng.Rep0.listen", Kind::Call).count(), 1);
        assert_eq!(apis("pynng.Rep0.dial", Kind::Call).count(), 0);
        assert_eq!(factory("asyncssh.connect"), Some("asyncssh.SSHClientConnection"));
        assert!(unresolved_entry("asyncssh.SSHClientConnection.create_server").is_none());
    }

    #[test]
    fn configuration_names() {
        assert_eq!(config_key("c.ServerApp.ip").map(|c| c.0), Some(Host));
        assert!(config_key("bind_host").is_some() && config_key("LISTEN_ADDRESS").is_some());
        assert!(config_key("server.socket_host").is_some());
        assert!(config_key("SINKHOLE_HOST").is_none() && config_key("ip").is_none());
        assert_eq!(config_key("c.JupyterHub.ip").map(|c| c.1), Some(E));
        assert_eq!(config_key("c.ServerApp.ip").map(|c| c.1), Some(ES));
        assert!(config_key("c.IPController.client_ip").is_some() && config_key("c.Cluster.controller_ip").is_some());
        assert!(config_key("client_ip").is_none() && config_key("remote_ip").is_none());
        assert!(config_key("c.Cluster.engine_ip").is_none() && config_key("c.JupyterHub.hub_connect_ip").is_none());
    }

    #[test]
    fn programs() {
        assert!(program("/usr/bin/gunicorn").is_some());
        assert!(program("curl").is_none() && program("redis-cli").is_none());
        assert!(program("flower").is_some() && program("celery").is_none());
        let chainlit = program("chainlit").unwrap();
        assert!(chainlit.flags.iter().all(|(f, ..)| *f != "-h"), "chainlit's -h is --headless");
    }
}
