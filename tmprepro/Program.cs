using System.Diagnostics;
using ModelZoo;
using static TorchSharp.torch;
int size = int.Parse(args[0]);
set_num_threads(2);
foreach (var m in args[1..])
{
    using var net = Zoo.Create(m, new ModelOptions { InChannels = size == 28 ? 1 : 3, NumClasses = 10, Seed = 3 });
    net.train();
    int bs = size == 28 ? 100 : 4;
    double best = 1e9;
    for (int i = 0; i < 6; i++)
    {
        var sw = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        var x = randn(bs, size == 28 ? 1 : 3, size, size);
        var loss = nn.functional.cross_entropy(net.call(x), zeros(bs, dtype: int64));
        loss.backward();
        if (i > 0) best = Math.Min(best, sw.Elapsed.TotalSeconds);
    }
    Console.WriteLine($"{m} {size}: ok {bs / best:F0} img/s (oneDNN off: {ModelZoo.Native.OneDnnGuard.DisabledReason is not null})");
}
