using Gateway.Testing;

namespace Gateway.Smime.Tests;

/// <summary>A fresh temp directory removed when the test ends.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix) => Path = TestDirectories.CreateTemp(prefix);

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort (gpg-agent may still hold its socket for a moment): a leftover temp directory must not fail the test.
        }
    }
}
