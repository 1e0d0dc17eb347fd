using ModelZoo.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Training.Experiments;

/// <summary>
/// Activation histograms at initialisation: the seed's figure (a 5-layer MLP of 100 units per layer fed 1,000 random
/// N(0, 1) inputs, with sigmoid, tanh or ReLU, initialised with <see cref="WeightInit"/>), and the same for any model
/// on a real batch, through forward hooks on its ReLU modules. Ranges as in the seed's figure: (0, 1) for sigmoid and
/// ReLU, (-1, 1) for tanh; 30 bins.
/// </summary>
public static class ActivationProbe
{
    /// <summary>The activations of the MLP figure.</summary>
    public static IReadOnlyList<string> Activations { get; } = ["sigmoid", "tanh", "relu"];

    /// <summary>Bins per histogram.</summary>
    public const int Bins = 30;

    /// <summary>The seed's MLP: one histogram per layer for <paramref name="activation"/> under <paramref name="init"/>.</summary>
    /// <exception cref="ArgumentException">Unknown activation.</exception>
    public static IReadOnlyList<ActivationHistogram> Mlp(string activation, InitScheme init, long seed = 42, int layers = 5, int units = 100, int samples = 1000)
    {
        ArgumentNullException.ThrowIfNull(activation);
        Func<Tensor, Tensor> act = activation switch
        {
            "sigmoid" => t => t.sigmoid(),
            "tanh" => t => t.tanh(),
            "relu" => t => t.relu(),
            _ => throw new ArgumentException($"activation must be {string.Join(", ", Activations)}, not '{activation}'", nameof(activation)),
        };
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var generator = new Generator(unchecked((ulong)seed));
        var x = torch.randn([samples, units], generator: generator);
        var linears = Enumerable.Range(0, layers).Select(_ => nn.Linear(units, units)).ToList();
        using var mlp = nn.Sequential(linears.Select((l, i) => ((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), (nn.Module<Tensor, Tensor>)l)).ToArray());
        WeightInit.Apply(mlp, init, seed);
        var result = new List<ActivationHistogram>();
        for (int i = 0; i < layers; i++)
        {
            x = act(linears[i].call(x));
            result.Add(Histogram("mlp", activation, init, i + 1, $"layer {i + 1}", x));
        }
        return result;
    }

    /// <summary>
    /// One histogram per ReLU module of <paramref name="model"/> (in forward order) for one forward pass of
    /// <paramref name="input"/>, in evaluation mode (dropout off).
    /// </summary>
    public static IReadOnlyList<ActivationHistogram> Model(nn.Module<Tensor, Tensor> model, Tensor input, string network, InitScheme init)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        var result = new List<ActivationHistogram>();
        var removers = new List<Action>();
        bool wasTraining = model.training;
        model.eval();
        try
        {
            foreach (var (name, module) in model.named_modules())
            {
                if (module is not ReLU relu) continue;
                string layerName = name;
                var handle = relu.register_forward_hook((m, i, o) =>
                {
                    result.Add(Histogram(network, "relu", init, result.Count + 1, layerName, o));
                    return o;
                });
                removers.Add(() => handle.remove());
            }
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            _ = model.call(input);
        }
        finally
        {
            foreach (var remove in removers) remove();
            if (wasTraining) model.train();
        }
        return result;
    }

    /// <summary>The histogram of <paramref name="values"/> over the activation's range.</summary>
    public static ActivationHistogram Histogram(string network, string activation, InitScheme init, int layer, string layerName, Tensor values)
    {
        ArgumentNullException.ThrowIfNull(values);
        float[] v = values.detach().cpu().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
        (double low, double high) = activation == "tanh" ? (-1.0, 1.0) : (0.0, 1.0);
        bool skipZeros = activation == "relu";
        var counts = new long[Bins];
        double sum = 0, sumSq = 0;
        long zeros = 0;
        double width = (high - low) / Bins;
        foreach (float f in v)
        {
            sum += f;
            sumSq += (double)f * f;
            if (f == 0) zeros++;
            if (skipZeros && f == 0) continue;
            if (f < low || f > high) continue;
            int b = Math.Min(Bins - 1, (int)((f - low) / width));
            counts[b]++;
        }
        int n = Math.Max(1, v.Length);
        double mean = sum / n;
        double std = Math.Sqrt(Math.Max(0, sumSq / n - mean * mean));
        return new ActivationHistogram(network, activation, init, layer, layerName, low, high, counts, mean, std, (double)zeros / n);
    }
}
