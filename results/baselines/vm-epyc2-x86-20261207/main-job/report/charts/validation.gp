# validation matrix: family x backend
# Written by hybench report.  Re-plot: cd into this folder, gnuplot validation.gp
set terminal svg size 820,460 noenhanced font 'Helvetica,12' background rgb 'white'
set output 'validation.svg'
set datafile separator '\t'
set datafile missing 'NaN'
set grid lc rgb '#d8d8d8'
set border lc rgb '#555555'
set key below left Left reverse samplen 2 spacing 1.1 maxrows 6
set title "validation matrix: family x backend"
set palette defined (0 '#7bc77e', 1 '#e57373', 2 '#c8c8c8', 3 '#ffffff')
set cbrange [0:3]
unset colorbox
unset key
unset grid
set tics scale 0
set xrange [-0.5:4.5]
set yrange [9.5:-0.5]
set xtics ("bench x86" 0, "validate cpu" 1, "validate x86" 2, "sweep host" 3, "sweep x86" 4)
set ytics ("linear" 0, "rmsnorm" 1, "conv1d" 2, "scan" 3, "ssd" 4, "attention" 5, "moe" 6, "mlp" 7, "model" 8, "embed" 9)
set xtics rotate by 15 right
set style fill solid 1.0 border rgb '#888888'
plot 'validation.dat' using 1:2:(0.5):(0.5):3 with boxxyerror fc palette, \
  '' using 1:2:4 with labels font ',10'
