using Gateway.Testing;

namespace Gateway.Policy.Tests;

/// <summary>A temp directory holding policy files for one test.</summary>
internal sealed class PolicyFiles : IDisposable
{
    /// <summary>The smallest valid policy; tests append or replace lines.</summary>
    public const string Minimal = """
        hostname: mx.example.test
        listeners:
          - name: inbound
            address: 127.0.0.1:2525

        """;

    public PolicyFiles()
    {
        Directory = TestDirectories.CreateTemp("policy");
    }

    public string Directory { get; }

    public string PathOf(string name) => Path.Combine(Directory, name);

    public string Write(string name, string text)
    {
        var path = PathOf(name);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Writes gateway.yaml and loads it.</summary>
    public PolicyLoadResult Load(string text) => PolicyLoader.Load(Write("gateway.yaml", text));

    /// <summary>Loads <paramref name="text"/>, which must be valid (the errors are the failure message).</summary>
    public GatewayPolicy Valid(string text)
    {
        var result = Load(text);
        Assert.True(result.Success, string.Join(Environment.NewLine, result.Errors));
        return result.Policy!;
    }

    /// <summary>Loads <paramref name="text"/>, which must fail with exactly one error at line:column in gateway.yaml.</summary>
    public void AssertError(string text, int line, int column, string messagePart)
    {
        var result = Load(text);
        Assert.False(result.Success);
        Assert.Null(result.Policy);
        var error = Assert.Single(result.Errors);
        Assert.Equal(PathOf("gateway.yaml"), error.File);
        Assert.True(line == error.Line && column == error.Column, $"expected {line}:{column}, got {error}");
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The repository root: the folder above the test assembly holding Gateway.sln.</summary>
    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Gateway.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Gateway.sln not found above " + AppContext.BaseDirectory);
    }
}
