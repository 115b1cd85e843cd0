using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Gateway.Testing;

namespace Gateway.Smime.Tests.Revocation;

/// <summary>
/// A plain HTTP server on 127.0.0.1 (HttpListener) serving CRLs by path, counting requests per path; a path can
/// instead answer with a redirect.
/// </summary>
internal sealed class CrlHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, byte[]> _documents = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _redirects = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
    private readonly Task _loop;

    public CrlHttpServer()
    {
        var port = FreePort.Next();
        BaseUrl = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/";
        _listener.Prefixes.Add(BaseUrl);
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string BaseUrl { get; }

    public string Url(string path) => BaseUrl + path;

    public void Serve(string path, byte[] body) => _documents[path] = body;

    public void Redirect(string path, string location) => _redirects[path] = location;

    public int Requests(string path) => _requests.GetValueOrDefault(path);

    public void Dispose()
    {
        // Close alone: after Stop, the managed listener's Close removes the prefix a second time and so binds the port
        // again for a moment, which fails ("Address already in use") once another test holds the port by then.
        try
        {
            _listener.Close();
        }
        catch (HttpListenerException)
        {
            // The server is gone either way; cleaning up must not fail the test that used it.
        }

        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The accept loop ends by the listener's disposal; how it ends does not matter.
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var path = context.Request.Url!.AbsolutePath.TrimStart('/');
            _requests.AddOrUpdate(path, 1, (_, n) => n + 1);
            try
            {
                if (_redirects.TryGetValue(path, out var location))
                {
                    context.Response.StatusCode = 302;
                    context.Response.RedirectLocation = location;
                }
                else if (_documents.TryGetValue(path, out var body))
                {
                    context.Response.ContentType = "application/pkix-crl";
                    context.Response.ContentLength64 = body.Length;
                    await context.Response.OutputStream.WriteAsync(body);
                }
                else
                {
                    context.Response.StatusCode = 404;
                }

                context.Response.Close();
            }
            catch (HttpListenerException)
            {
                // The client gave up (a refused oversized body): nothing to serve any more.
            }
        }
    }
}
