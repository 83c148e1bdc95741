-- Each request takes the next path from the file named by WRK_PATHS, so article pages are spread out.
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do
  if line ~= "" then paths[#paths + 1] = line end
end
local counter = 0

request = function()
  counter = counter % #paths + 1
  return wrk.format(nil, paths[counter])
end
