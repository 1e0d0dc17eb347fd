using ModelZoo.Data;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Training.Experiments;

/// <summary>
/// The learning-rate range test (L. Smith, "Cyclical learning rates", 2015; fastai's <c>lr_find</c>): train with a
/// rate that grows exponentially from a tiny to a huge value, one step each, record the smoothed loss, stop once it
/// diverges, and suggest the rate where the loss falls fastest. Runs on the library's <see cref="Trainer"/> (no run
/// folder): a gradient hook sets each step's rate, and the model's weights are changed by the sweep (use a fresh model
/// for training afterwards).
/// </summary>
public static class LearningRateFinder
{
    /// <summary>Sweeps <paramref name="model"/> on <paramref name="train"/> (epochs repeat when it has fewer batches than steps).</summary>
    /// <param name="model">The model (trained by the sweep).</param>
    /// <param name="descriptor">Model and data identity.</param>
    /// <param name="train">Training batches.</param>
    /// <param name="options">The sweep.</param>
    /// <param name="callbacks">Added to the trainer (progress display).</param>
    /// <param name="cancellationToken">Stops the sweep after the current step.</param>
    /// <exception cref="ArgumentException">Invalid options or an empty source.</exception>
    public static LearningRateFinderResult Run(
        nn.Module<Tensor, Tensor> model,
        ModelDescriptor descriptor,
        IBatchSource train,
        LearningRateFinderOptions options,
        IReadOnlyList<ITrainingCallback>? callbacks = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.EnsureValid();
        if (train.BatchesPerEpoch < 1) throw new ArgumentException("the training source has no batches");
        int perEpoch = Math.Min(train.BatchesPerEpoch, options.Steps);
        var training = new TrainingOptions
        {
            Epochs = (options.Steps + perEpoch - 1) / perEpoch,
            MaxStepsPerEpoch = perEpoch,
            BatchSize = options.BatchSize,
            Optimizer = options.Optimizer,
            Momentum = options.Momentum,
            LearningRate = options.StartLearningRate,
            Schedule = ScheduleKind.Constant,
            Seed = options.Seed,
            Threads = options.Threads,
            Device = options.Device,
            Precision = options.Precision,
            ChannelsLast = options.ChannelsLast,
            ValidateEachEpoch = false,
            TensorBoard = false,
            ProgressInterval = 1,
        };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var trainer = new Trainer(model, training, descriptor);
        var points = new List<LearningRatePoint>();
        bool diverged = false;
        double average = 0, best = double.PositiveInfinity;
        var recorder = new StepLossRecorder(trainer.Task);
        trainer.Task = recorder;
        var rates = new RateHook(trainer, options);
        trainer.GradientHooks.Add(rates);
        recorder.OnLoss = loss =>
        {
            int step = points.Count;
            if (!double.IsFinite(loss))
            {
                diverged = true;
                stop.Cancel();
                return;
            }
            average = options.Smoothing * average + (1 - options.Smoothing) * loss;
            double smoothed = average / (1 - Math.Pow(options.Smoothing, step + 1));
            points.Add(new LearningRatePoint(step, options.RateAt(step), loss, smoothed));
            best = Math.Min(best, smoothed);
            if (step > 0 && smoothed > options.DivergenceFactor * best) { diverged = true; stop.Cancel(); }
            else if (points.Count >= options.Steps) stop.Cancel();
        };
        foreach (var c in callbacks ?? []) trainer.Callbacks.Add(c);
        try
        {
            trainer.Fit(train, null, stop.Token);
        }
        catch (NonFiniteLossException)
        {
            diverged = true;
        }
        double? minimum = null;
        if (points.Count > 0)
        {
            double[] centred = Centred(points.Select(p => p.Loss).ToArray(), Math.Max(1, points.Count / 20));
            minimum = points[Array.IndexOf(centred, centred.Min())].LearningRate;
        }
        return new LearningRateFinderResult(points, Suggest(points), diverged, minimum);
    }

    /// <summary>
    /// The rate of steepest descent: the point where the loss falls fastest per unit of log rate (fastai's "steep"
    /// suggestion), among the points before the lowest loss. The slope is taken on a centred moving average of the raw
    /// loss (no lag, unlike the running average used to detect divergence), leaving out the first tenth of the sweep;
    /// null with fewer than 5 points.
    /// </summary>
    public static double? Suggest(IReadOnlyList<LearningRatePoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count < 5) return null;
        double[] centred = Centred(points.Select(p => p.Loss).ToArray(), Math.Max(1, points.Count / 20));
        int end = Array.IndexOf(centred, centred.Min());
        int start = Math.Max(0, points.Count / 10);
        if (end - start < 2) start = 0;
        if (end - start < 2) return null;
        double bestSlope = double.PositiveInfinity;
        int at = -1;
        for (int i = start; i < end; i++)
        {
            double dx = Math.Log(points[i + 1].LearningRate) - Math.Log(points[i].LearningRate);
            double slope = (centred[i + 1] - centred[i]) / dx;
            if (slope < bestSlope) { bestSlope = slope; at = i; }
        }
        return at < 0 ? null : points[at].LearningRate;
    }

    /// <summary>The mean of each value with its <paramref name="half"/> neighbours on either side (fewer at the ends).</summary>
    public static double[] Centred(double[] values, int half)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            int lo = Math.Max(0, i - half), hi = Math.Min(values.Length - 1, i + half);
            double sum = 0;
            for (int j = lo; j <= hi; j++) sum += values[j];
            result[i] = sum / (hi - lo + 1);
        }
        return result;
    }

    private sealed class RateHook(Trainer trainer, LearningRateFinderOptions options) : IGradientHook
    {
        private int _step;

        public void OnGradients(IReadOnlyList<Parameter> parameters, long step)
        {
            double lr = options.RateAt(Math.Min(_step, options.Steps - 1));
            foreach (var group in trainer.Optimizer.ParamGroups) group.LearningRate = lr;
            _step++;
        }
    }
}
