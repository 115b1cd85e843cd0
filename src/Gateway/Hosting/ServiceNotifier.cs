using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

/// <summary>
/// systemd's service notifications (sd_notify(3)) for the unit's Type=notify and WatchdogSec=: READY=1 once the
/// listeners are bound and the policy is in force (<see cref="Ready"/>, called by `run` after the host started),
/// WATCHDOG=1 at half the interval systemd asks for while the SMTP listeners accept, STOPPING=1 when the drain
/// begins. Without NOTIFY_SOCKET (a shell, a container) every call is a no-op.
/// </summary>
internal sealed class ServiceNotifier : BackgroundService
{
    private readonly ISystemdNotifier _notifier;
    private readonly SmtpHostedService _smtp;
    private readonly TimeProvider _time;
    private readonly ILogger<ServiceNotifier> _logger;
    private readonly TimeSpan? _watchdog;

    public ServiceNotifier(ISystemdNotifier notifier, SmtpHostedService smtp, TimeProvider time, ILogger<ServiceNotifier> logger)
    {
        _notifier = notifier;
        _smtp = smtp;
        _time = time;
        _logger = logger;
        _watchdog = notifier.IsEnabled ? WatchdogInterval(Environment.GetEnvironmentVariable, Environment.ProcessId) : null;
    }

    /// <summary>Tells systemd the service is up: `systemctl start` returns and ordered units start after this.</summary>
    public void Ready(string status)
    {
        if (_notifier.IsEnabled)
        {
            _notifier.Notify(new ServiceState(string.Create(CultureInfo.InvariantCulture, $"READY=1\nSTATUS={status}\nMAINPID={Environment.ProcessId}")));
            HostLog.NotifiedReady(_logger, _watchdog?.TotalSeconds ?? 0);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_notifier.IsEnabled)
        {
            // Registered last, so stopped first: systemd hears of the drain before the listeners close.
            _notifier.Notify(ServiceState.Stopping);
        }

        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The interval systemd expects keep-alives in (sd_watchdog_enabled(3)): WATCHDOG_USEC, for this process when
    /// WATCHDOG_PID names it or is unset; null when there is no watchdog.
    /// </summary>
    internal static TimeSpan? WatchdogInterval(Func<string, string?> environment, int processId)
    {
        if (!long.TryParse(environment("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds) || microseconds <= 0)
        {
            return null;
        }

        if (environment("WATCHDOG_PID") is { Length: > 0 } pidText
            && (!int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid != processId))
        {
            return null;
        }

        return TimeSpan.FromMicroseconds(microseconds);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_watchdog is not { } interval)
        {
            return;
        }

        // Half the interval, as sd_watchdog_enabled(3) advises, so one late tick does not cost a restart. No ping
        // while the listeners are not accepting: then systemd's watchdog restarts a gateway that no longer takes mail,
        // and one whose timers no longer run (a starved or deadlocked process) is restarted the same way.
        using var timer = new PeriodicTimer(interval / 2, _time);
        try
        {
            do
            {
                if (_smtp.Started)
                {
                    _notifier.Notify(new ServiceState("WATCHDOG=1"));
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: systemd no longer expects pings once STOPPING=1 was sent.
        }
    }
}
