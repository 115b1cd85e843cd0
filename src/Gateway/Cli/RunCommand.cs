using System.Runtime;
using System.Runtime.InteropServices;
using Gateway.Abstractions;
using Gateway.Authentication.Reports;
using Gateway.Dns;
using Gateway.Host.Admin;
using Gateway.Host.Control;
using Gateway.Host.Hosting;
using Gateway.Host.Metrics;
using Gateway.Host.MtaSts;
using Gateway.Host.Quarantine;
using Gateway.Host.Reports;
using Gateway.Host.Spool;
using Gateway.Host.Tls;
using Gateway.Pipeline.Limits;
using Gateway.Policy;
using Gateway.Queue;
using Gateway.Queue.Scheduling;
using Gateway.Smime.Audit;
using Gateway.Smime.Vault;
using Gateway.Smtp.Server;
using Gateway.Transport.MtaSts;
using Gateway.Transport.TlsRpt;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Cli;

/// <summary>`gateway run`: load the policy, start SMTP listeners and the admin HTTP endpoint, run until SIGTERM/Ctrl-C.</summary>
internal static class RunCommand
{
    /// <param name="command">The parsed command line.</param>
    /// <param name="vault">How the key vault unseals itself at start; by default from the environment (<see cref="VaultHostOptions.FromEnvironment"/>).</param>
    public static async Task<int> ExecuteAsync(CommandLine command, VaultHostOptions? vault = null)
    {
        var loaded = PolicyLoader.Load(command.ConfigPath);
        if (!loaded.Success)
        {
            foreach (var error in loaded.Errors)
            {
                await Console.Error.WriteLineAsync(error.ToString()).ConfigureAwait(false);
            }

            await Console.Error.WriteLineAsync("gateway: not started: the policy set has errors").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        var policy = loaded.Policy!;
        var time = TimeProvider.System;

        // Refuse to start on a certificate or key that does not load, before anything binds a port.
        using (var probe = PolicyRuntime.TryBuild(policy, RuntimeServices.Standalone(policy, time), out var runtimeErrors))
        {
            if (probe is null)
            {
                foreach (var error in runtimeErrors)
                {
                    await Console.Error.WriteLineAsync(error.ToString()).ConfigureAwait(false);
                }

                return ExitCodes.Failure;
            }
        }

        try
        {
            vault ??= VaultHostOptions.From(policy, Environment.GetEnvironmentVariable);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"gateway: not started: key vault auto-unseal: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        var app = Build(command, policy, time, vault);

        // The probe runtime above left its content classifier (the counts, the weights and the scoring table: tens
        // of MB in the large-object heap) as garbage that the small collections of normal running never reach; given
        // back once here, before any mail, it is not carried as resident memory for the life of the process.
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway");
        var store = app.Services.GetRequiredService<PolicyStore>();

        using var watcher = app.Services.GetRequiredService<PolicyWatcher>();
        using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            // SIGHUP means "reload", not "terminate" (the daemon convention).
            context.Cancel = true;
            HostLog.ReloadSignal(logger);
            store.Reload();
        });

        // The SMTP listeners are bound before anything starts, so a deployment mistake (the port taken, no
        // CAP_NET_BIND_SERVICE, an address the machine lacks) is one line naming the listener and its address, in the
        // log and on standard error as for a policy with errors, not a stack trace from the host.
        try
        {
            app.Services.GetRequiredService<SmtpHostedService>().Bind();
        }
        catch (ListenerBindException ex)
        {
            await BindFailedAsync(logger, ex.Message).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Kestrel's (admin endpoint, MTA-STS) names the address in its message.
            if (ex is IOException { InnerException: AddressInUseException })
            {
                await BindFailedAsync(logger, ex.Message).ConfigureAwait(false);
            }
            else
            {
                HostLog.StartFailed(logger, ex);
            }

            // Stop what did start (the services before the one that failed) in order: disposing them unstopped
            // cancels the background services under the host's feet, which it reports as crashes of their own.
            await app.StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        var controlSocket = SpoolPaths.ControlSocket(policy);
        if (File.Exists(controlSocket))
        {
            ControlSocket.Restrict(controlSocket);
            ControlLog.ControlSocketReady(logger, controlSocket);
        }
        else
        {
            ControlLog.ControlSocketPathTooLong(logger, controlSocket);
        }
        watcher.Start();
        var smtp = app.Services.GetRequiredService<SmtpHostedService>();
        var endpoints = string.Join(", ", smtp.BoundEndPoints.Select(e => $"{e.Name}={e.EndPoint}"));
        var admin = policy.Admin.Listen.ToString();
        var policyFile = Path.GetFullPath(command.ConfigPath);
        HostLog.Started(logger, VersionCommand.Version, policyFile, endpoints, admin);

        // Only now, with every listener bound and the control socket in place, does systemd count the service as started.
        app.Services.GetRequiredService<ServiceNotifier>().Ready($"SMTP on {endpoints}");

        await app.WaitForShutdownAsync().ConfigureAwait(false);
        HostLog.Stopped(logger);
        await app.DisposeAsync().ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    private static async Task BindFailedAsync(ILogger logger, string reason)
    {
        HostLog.BindFailed(logger, reason);
        await Console.Error.WriteLineAsync($"gateway: not started: {reason}").ConfigureAwait(false);
    }

    /// <summary>
    /// One MTA-STS policy cache with its fetcher and resolver, and one set of TLS-RPT counters, shared by every
    /// delivery-agent generation and the services that refresh the cache and send the reports.
    /// </summary>
    private static void AddTransportSecurity(IServiceCollection services, GatewayPolicy policy, TimeProvider time)
    {
        services.AddSingleton(sp =>
        {
            // DI factories are synchronous; this runs once, at start-up before delivery begins, and reads one small
            // file per cached domain.
            return MtaStsPolicyStore.OpenAsync(SpoolPaths.MtaStsDirectory(policy), sp.GetRequiredService<ILogger<MtaStsPolicyStore>>(), CancellationToken.None)
                .GetAwaiter().GetResult();
        });
        services.AddSingleton<IMtaStsPolicyCache>(sp => sp.GetRequiredService<MtaStsPolicyStore>());

        // RFC 8461 3.3: port 443, PKIX against the system's trust store (SSL_CERT_FILE / SSL_CERT_DIR add a CA on Linux).
        services.AddSingleton<IMtaStsPolicyFetcher>(sp => new MtaStsPolicyFetcher(sp.GetRequiredService<IDnsResolver>(), new MtaStsFetcherOptions(), time));
        services.AddSingleton(sp => new MtaStsPolicyResolver(
            sp.GetRequiredService<IDnsResolver>(),
            sp.GetRequiredService<IMtaStsPolicyFetcher>(),
            sp.GetRequiredService<IMtaStsPolicyCache>(),
            time,
            sp.GetRequiredService<ILogger<MtaStsPolicyResolver>>()));
        services.AddSingleton(_ => new TlsRptCollector(
            new TlsRptCollectorOptions { Directory = SpoolPaths.TlsRptDirectory(policy), FlushDirectory = DefaultSpoolIo.Instance.FlushDirectory },
            time));
        services.AddSingleton(sp => new TlsRptRecordLookup(sp.GetRequiredService<IDnsResolver>()));
        services.AddSingleton(sp => TlsRptHttpClient.Create(sp.GetRequiredService<IDnsResolver>()));
    }

    private static (string, System.Net.IPEndPoint, ListenerTls, ListenerProxyProtocol, string) BoundWith(ListenerPolicy listener) =>
        (listener.Name, listener.EndPoint, listener.Tls, listener.ProxyProtocol, string.Join(',', listener.TrustedProxies));

    /// <summary>The listeners an admin must look at: added, removed, or bound otherwise, by name (a renamed one is both).</summary>
    private static string ChangedListeners(IReadOnlyList<ListenerPolicy> before, IReadOnlyList<ListenerPolicy> after)
    {
        var was = before.ToDictionary(l => l.Name, BoundWith, StringComparer.Ordinal);
        var now = after.ToDictionary(l => l.Name, BoundWith, StringComparer.Ordinal);
        var names = was.Keys.Union(now.Keys, StringComparer.Ordinal)
            .Where(name => !was.TryGetValue(name, out var old) || !now.TryGetValue(name, out var current) || !old.Equals(current))
            .Order(StringComparer.Ordinal)
            .Select(name => !was.ContainsKey(name) ? name + " added" : !now.ContainsKey(name) ? name + " removed" : name + " changed")
            .ToList();

        // Only the order differs: no listener is bound otherwise, but say so rather than name none.
        return names.Count > 0 ? string.Join(", ", names) : "order only";
    }

    private static WebApplication Build(CommandLine command, GatewayPolicy policy, TimeProvider time, VaultHostOptions vault)
    {
        // The gateway reads no appsettings: the policy is its only configuration. Without these two settings the
        // host would watch the working directory (which holds the spool) for appsettings changes and pay for an
        // inotify event on every queue file.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });

        var level = new LogLevelSwitch(policy.Logging.LogLevel);
        builder.Logging.ClearProviders();
        if (policy.Logging.Format == LogFormat.Json)
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
        }

        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddFilter((category, logLevel) =>
            logLevel >= level.Level
            && (category is null || !category.StartsWith("Microsoft.", StringComparison.Ordinal) || logLevel >= LogLevel.Warning));

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(policy.Admin.Listen);
            if (ControlSocket.Prepare(SpoolPaths.ControlSocket(policy)))
            {
                kestrel.ListenUnixSocket(SpoolPaths.ControlSocket(policy));
            }
            kestrel.AddServerHeader = false;
            if (policy.MtaSts.Listen is { } stsListen)
            {
                // Our MTA-STS policy over HTTPS (RFC 8461 3.3), with the certificates of the policy in force, chosen by
                // SNI as for the SMTP listeners: one of them must name mta-sts.<domain> for every domain served.
                kestrel.Listen(stsListen, listen => listen.UseHttps(https =>
                {
                    https.SslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;
                    https.ServerCertificateSelector = (_, name) => kestrel.ApplicationServices.GetRequiredService<RuntimeHolder>().Current.Certificates?.Select(name).Certificate;
                }));
            }
        });

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = SmtpHostedService.DrainDeadline + TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton(level);
        builder.Services.AddSingleton(sp => new PolicyStore(
            Path.GetFullPath(command.ConfigPath), policy, sp.GetRequiredService<ILogger<PolicyStore>>()));
        builder.Services.AddSingleton(sp => new PolicyWatcher(
            sp.GetRequiredService<PolicyStore>(), time, sp.GetRequiredService<ILogger<PolicyWatcher>>()));
        builder.Services.AddSingleton(sp => new DmarcReportStore(
            new DmarcReportStoreOptions { Directory = SpoolPaths.DmarcDirectory(policy), MaxRecordsPerDay = policy.Authentication.Dmarc.Reports.MaxRecordsPerDay },
            sp.GetRequiredService<ILogger<DmarcReportStore>>()));
        // Built once for the whole process and handed to every policy snapshot: one resolver (its cache stays warm
        // across reloads) and one Public Suffix List.
        builder.Services.AddSingleton(sp => new DnsClientResolver(DnsSettings.For(policy), sp.GetRequiredService<ILogger<DnsClientResolver>>(), time));
        builder.Services.AddSingleton<IDnsResolver>(sp => sp.GetRequiredService<DnsClientResolver>());
        builder.Services.AddSingleton<PublicSuffixSource>();
        builder.Services.AddSingleton(sp => new RuntimeServices(
            time,
            sp.GetRequiredService<IDnsResolver>(),
            sp.GetRequiredService<PublicSuffixSource>(),
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<DmarcReportStore>(),
            sp.GetRequiredService<SmimeHost>(),
            sp.GetRequiredService<LimitsState>(),
            sp.GetRequiredService<GatewayMetrics>(),
            sp.GetRequiredService<RecipientsHost>()));
        builder.Services.AddSingleton(sp => new RecipientsHost(time, sp.GetRequiredService<IDnsResolver>(), sp.GetRequiredService<ILoggerFactory>()));

        // Rate limit counters and the greylist outlive every policy snapshot (and the greylist a restart).
        builder.Services.AddSingleton(sp => LimitsState.Open(
            SpoolPaths.GreylistDirectory(policy), time, sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<GatewayMetrics>()));
        builder.Services.AddSingleton(sp => new SmimeHost(
            sp.GetRequiredService<KeyVault>(),
            Path.Combine(policy.StateDirectory, "smime"),
            time,
            sp.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddSingleton(sp =>
        {
            var services = sp.GetRequiredService<RuntimeServices>();

            // Checked before the host was built, so it builds again (now with logging and the shared services).
            var runtime = PolicyRuntime.TryBuild(policy, services, out var errors)
                ?? throw new InvalidOperationException(string.Join("; ", errors));
            return new RuntimeHolder(runtime, services, sp.GetRequiredService<ILogger<RuntimeHolder>>());
        });
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddSingleton(new FileTraceLog(SpoolPaths.TraceDirectory(policy)));
        builder.Services.AddSingleton<ITraceLog>(sp => new MetricsTraceLog(sp.GetRequiredService<FileTraceLog>(), sp.GetRequiredService<GatewayMetrics>()));
        builder.Services.AddSingleton(sp => new FileQueueStore(
            SpoolPaths.QueueRoot(policy),
            time,
            sp.GetRequiredService<ITraceLog>(),
            sp.GetRequiredService<ILogger<FileQueueStore>>(),
            segments: true));
        builder.Services.AddSingleton<IQueueStore>(sp => sp.GetRequiredService<FileQueueStore>());
        builder.Services.AddSingleton<IMessageAcceptor>(sp => sp.GetRequiredService<FileQueueStore>());
        builder.Services.AddSingleton(sp => new MessageQuarantine(
            sp.GetRequiredService<IQueueStore>(), time, sp.GetRequiredService<ILogger<MessageQuarantine>>()));
        AddTransportSecurity(builder.Services, policy, time);
        builder.Services.AddKeyVault(VaultPaths.VaultDirectory(policy), time, vault);
        builder.Services.AddSingleton(sp => new ReloadingDeliveryAgent(
            policy,
            sp.GetRequiredService<IDnsResolver>(),
            time,
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<MtaStsPolicyResolver>(),
            sp.GetRequiredService<TlsRptCollector>()));
        builder.Services.AddSingleton(new PolicySchedulerSettings(policy, time));
        builder.Services.AddSingleton(sp => new EncryptedListDeliveryAgent(
            sp.GetRequiredService<ReloadingDeliveryAgent>(),
            () => sp.GetRequiredService<RuntimeHolder>().Current.Policy,
            () => sp.GetRequiredService<RuntimeHolder>().Current.Smime,
            sp.GetRequiredService<IQueueStore>(),
            () => sp.GetRequiredService<PolicySchedulerSettings>().Current.Notices,
            time,
            sp.GetRequiredService<ILogger<EncryptedListDeliveryAgent>>()));
        builder.Services.AddSingleton(sp => new QueueScheduler(
            sp.GetRequiredService<IQueueStore>(),
            sp.GetRequiredService<EncryptedListDeliveryAgent>(),
            sp.GetRequiredService<PolicySchedulerSettings>(),
            sp.GetRequiredService<ITraceLog>(),
            time,
            sp.GetRequiredService<ILogger<QueueScheduler>>()));
        builder.Services.AddSingleton<QueueHostedService>();
        builder.Services.AddSingleton<ISmtpSessionProvider>(sp => new PolicySessionProvider(
            sp.GetRequiredService<RuntimeHolder>(),
            sp.GetRequiredService<IMessageAcceptor>(),
            sp.GetRequiredService<GatewayMetrics>(),
            time,
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<ITraceLog>()));
        builder.Services.AddSingleton<SmtpHostedService>();
        builder.Services.AddSingleton(sp =>
        {
            var holder = sp.GetRequiredService<RuntimeHolder>();
            return new QueueReportOutbox(sp.GetRequiredService<IQueueStore>(), time, () => holder.Current.Authentication);
        });
        builder.Services.AddSingleton<IDmarcReportOutbox>(sp => sp.GetRequiredService<QueueReportOutbox>());
        builder.Services.AddSingleton<ITlsRptReportOutbox>(sp => sp.GetRequiredService<QueueReportOutbox>());

        // Order matters: the spool is recovered before the listeners open, and stops after they have drained.
        builder.Services.AddHostedService(sp => sp.GetRequiredService<QueueHostedService>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SmtpHostedService>());
        builder.Services.AddHostedService<QuarantineRetentionService>();
        builder.Services.AddHostedService<DmarcReportService>();
        builder.Services.AddHostedService<TlsRptReportService>();
        builder.Services.AddHostedService<MtaStsRefreshService>();
        builder.Services.AddHostedService<CertificateWatcher>();

        // Last, so it stops first: systemd hears STOPPING=1 when the drain begins.
        builder.Services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
        builder.Services.AddSingleton<ServiceNotifier>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ServiceNotifier>());

        var app = builder.Build();
        var store = app.Services.GetRequiredService<PolicyStore>();
        var holder = app.Services.GetRequiredService<RuntimeHolder>();
        var hostLogger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway");
        var dns = app.Services.GetRequiredService<DnsClientResolver>();
        var delivery = app.Services.GetRequiredService<ReloadingDeliveryAgent>();
        var scheduling = app.Services.GetRequiredService<PolicySchedulerSettings>();
        var policyAudit = app.Services.GetRequiredService<PolicyAuditTrail>();
        policyAudit.Record(AuditActions.PolicyLoad, policy);
        store.Changed += next =>
        {
            // A policy whose runtime does not build (a key that does not load) is not applied anywhere.
            holder.Apply(next);
            var applied = holder.Current.Policy;
            if (ReferenceEquals(applied, next))
            {
                policyAudit.Record(AuditActions.PolicyChange, applied);
            }

            dns.Apply(DnsSettings.For(applied));
            delivery.Apply(applied);
            scheduling.Apply(applied);
            level.Level = applied.Logging.LogLevel;
            // Only what the listeners were set up with at start waits for a restart (the socket, its TLS mode and the
            // PROXY protocol peers); a listener's other settings apply to its new sessions at once.
            if (!next.Listeners.Select(BoundWith).SequenceEqual(policy.Listeners.Select(BoundWith)))
            {
                HostLog.ListenersNeedRestart(hostLogger, ChangedListeners(policy.Listeners, next.Listeners));
            }

            if (!string.Equals(next.StateDirectory, policy.StateDirectory, StringComparison.Ordinal))
            {
                HostLog.StateDirectoryNeedsRestart(hostLogger, policy.StateDirectory, next.StateDirectory);
            }

            if (!next.Admin.Listen.Equals(policy.Admin.Listen))
            {
                HostLog.AdminListenNeedsRestart(hostLogger, policy.Admin.Listen.ToString(), next.Admin.Listen.ToString());
            }
        };

        if (policy.MtaSts.Listen is { } served)
        {
            app.UseMtaSts(served, holder);
        }

        app.MapAdmin();
        app.MapQuarantine();
        app.MapControl();
        return app;
    }
}
