using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ModelZoo.Tests.Data;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 for download tests. Each connection serves one request and closes.
/// A reply can announce more bytes than it sends (truncation), stall after sending, redirect (<c>Location</c>), and
/// send its body slowly in 64 KiB chunks (<c>ChunkDelay</c>) so that two clients overlap.
/// </summary>
internal sealed class LoopbackHttpServer : IDisposable
{
    public sealed record Request(string Path, long? RangeStart);

    public sealed record Reply(int Status, byte[] Body, long? DeclaredLength = null, int? SendBytes = null, TimeSpan? StallAfter = null, string? ContentRange = null,
        string? Location = null, TimeSpan? ChunkDelay = null);

    /// <summary>A 302 to <paramref name="location"/>.</summary>
    public static Reply Redirect(string location) => new(302, [], Location: location);

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LoopbackHttpServer(Func<Request, Reply> handler)
    {
        Handler = handler;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoop);
    }

    public Func<Request, Reply> Handler { get; set; }

    public int Port { get; }

    public ConcurrentQueue<Request> Requests { get; } = new();

    public string Url(string prefix) => $"http://127.0.0.1:{Port}/{prefix}/";

    /// <summary>A 200, or a 206 for a range request, of <paramref name="file"/>.</summary>
    public static Reply Serve(byte[] file, Request request)
    {
        if (request.RangeStart is long start && start > 0)
        {
            if (start >= file.Length) return new Reply(416, []);
            return new Reply(206, file[(int)start..], ContentRange: $"bytes {start}-{file.Length - 1}/{file.Length}");
        }
        return new Reply(200, file);
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(client));
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var header = new StringBuilder();
                var one = new byte[1];
                while (!header.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && header.Length < 16384)
                {
                    if (await stream.ReadAsync(one, _stop.Token) == 0) return;
                    header.Append((char)one[0]);
                }
                var lines = header.ToString().Split("\r\n");
                string path = lines[0].Split(' ')[1];
                long? range = null;
                foreach (var line in lines)
                {
                    if (line.StartsWith("Range:", StringComparison.OrdinalIgnoreCase))
                        range = long.Parse(line.Split('=')[1].Split('-')[0]);
                }
                var request = new Request(path, range);
                Requests.Enqueue(request);
                var reply = Handler(request);
                var head = new StringBuilder();
                head.Append($"HTTP/1.1 {reply.Status} Status{reply.Status}\r\n");
                head.Append($"Content-Length: {reply.DeclaredLength ?? reply.Body.Length}\r\n");
                if (reply.ContentRange is not null) head.Append($"Content-Range: {reply.ContentRange}\r\n");
                if (reply.Location is not null) head.Append($"Location: {reply.Location}\r\n");
                head.Append("Connection: close\r\n\r\n");
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), _stop.Token);
                int send = Math.Min(reply.SendBytes ?? reply.Body.Length, reply.Body.Length);
                if (reply.ChunkDelay is { } delay)
                {
                    for (int at = 0; at < send; at += 1 << 16)
                    {
                        await stream.WriteAsync(reply.Body.AsMemory(at, Math.Min(1 << 16, send - at)), _stop.Token);
                        await Task.Delay(delay, _stop.Token);
                    }
                }
                else
                {
                    await stream.WriteAsync(reply.Body.AsMemory(0, send), _stop.Token);
                }
                await stream.FlushAsync(_stop.Token);
                if (reply.StallAfter is { } stall) await Task.Delay(stall, _stop.Token);
            }
            catch (Exception)
            {
                // connection dropped or server stopping
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }
}
