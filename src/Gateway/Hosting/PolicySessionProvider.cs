using Gateway.Abstractions;
using Gateway.Host.Metrics;
using Gateway.Pipeline.Session;
using Gateway.Queue;
using Gateway.Smtp.Server;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

/// <summary>Gives each new SMTP connection the options and stage checks of the policy in force at that moment.</summary>
internal sealed class PolicySessionProvider : ISmtpSessionProvider
{
    private readonly RuntimeHolder _runtime;
    private readonly IMessageAcceptor _acceptor;
    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Where refusals before a message exists are traced; null: not traced (tests of other concerns).</summary>
    private readonly ITraceLog? _trace;

    public PolicySessionProvider(RuntimeHolder runtime, IMessageAcceptor acceptor, GatewayMetrics metrics, TimeProvider time, ILoggerFactory loggerFactory, ITraceLog? trace = null)
    {
        _runtime = runtime;
        _acceptor = acceptor;
        _metrics = metrics;
        _time = time;
        _logger = loggerFactory.CreateLogger("Gateway.Pipeline");
        _trace = trace;
    }

    public SmtpSessionSetup Open(SessionFacts facts)
    {
        // Held until the connection ends, so a reload cannot dispose the certificate or keys under this session.
        var lease = _runtime.Acquire();
        try
        {
            var runtime = lease.Runtime;
            var policy = runtime.Policy;

            // Listeners are bound at start; a reload that renamed or removed one leaves its socket running until
            // restart, and its sessions keep that listener's settings from the start. Another listener's settings
            // would be wrong in a way that matters: a renamed submission port would stop requiring AUTH.
            var listener = policy.Listeners.FirstOrDefault(l => l.Name == facts.ListenerName)
                ?? _runtime.BoundListeners.FirstOrDefault(l => l.Name == facts.ListenerName)
                ?? policy.Listeners[0];
            var options = runtime.SessionOptions(listener);
            ISmtpSessionHandler handler = new MetricsSessionHandler(new PolicySessionHandler(runtime.Pipeline, _acceptor, _logger) { Limits = runtime.Limits, AuthRequired = listener.RequireAuth }, _metrics, _time);
            if (_trace is not null)
            {
                handler = new RefusalTraceHandler(handler, _trace, _time, _logger);
            }

            return new SmtpSessionSetup(options, handler, options.AuthEnabled ? runtime.Credentials : null) { Lease = lease };
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }
}
