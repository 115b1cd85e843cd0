using Gateway.Abstractions;
using Gateway.Pipeline.Session;
using Gateway.Smtp.Server;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

/// <summary>Gives each new SMTP connection the options and stage checks of the policy in force at that moment.</summary>
internal sealed class PolicySessionProvider : ISmtpSessionProvider
{
    private readonly RuntimeHolder _runtime;
    private readonly IMessageAcceptor _acceptor;
    private readonly ILogger _logger;

    public PolicySessionProvider(RuntimeHolder runtime, IMessageAcceptor acceptor, ILoggerFactory loggerFactory)
    {
        _runtime = runtime;
        _acceptor = acceptor;
        _logger = loggerFactory.CreateLogger("Gateway.Pipeline");
    }

    public SmtpSessionSetup Open(SessionFacts facts)
    {
        var runtime = _runtime.Current;
        var policy = runtime.Policy;

        // Listeners are bound at start; a reload that renamed or removed one leaves its socket running until
        // restart, and its sessions take the first listener's settings rather than failing.
        var listener = policy.Listeners.FirstOrDefault(l => l.Name == facts.ListenerName) ?? policy.Listeners[0];
        var options = runtime.SessionOptions(listener);
        var handler = new PolicySessionHandler(runtime.Pipeline, _acceptor, _logger);
        return new SmtpSessionSetup(options, handler, options.AuthEnabled ? runtime.Credentials : null);
    }
}
