using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.TransportSecurity;

/// <summary>An HTTPS rua endpoint on 127.0.0.1 (Kestrel, a test CA's certificate) recording each request it gets.</summary>
internal sealed class ReportEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<(string Method, string Path, string? ContentType, byte[] Body)> _requests = [];
    private readonly Lock _gate = new();

    private ReportEndpoint(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public IReadOnlyList<(string Method, string Path, string? ContentType, byte[] Body)> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<ReportEndpoint> StartAsync(X509Certificate2 certificate, X509Certificate2 intermediate)
    {
        var port = Gateway.Testing.FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(https =>
        {
            https.ServerCertificate = certificate;
            https.ServerCertificateChain = [intermediate];
        })));
        var app = builder.Build();
        var endpoint = new ReportEndpoint(app, port);
        app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            lock (endpoint._gate)
            {
                endpoint._requests.Add((context.Request.Method, context.Request.Path.Value ?? string.Empty, context.Request.ContentType, body.ToArray()));
            }

            context.Response.StatusCode = StatusCodes.Status201Created;
        });
        await app.StartAsync();
        return endpoint;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
